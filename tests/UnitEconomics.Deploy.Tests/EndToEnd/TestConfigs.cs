using System.Globalization;
using System.Text;
using UnitEconomics.TestSupport;
using YamlDotNet.Serialization;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>The repository's Prometheus, rule and Alertmanager files, rewritten only as far as a test on loopback in seconds needs.</summary>
internal static class TestConfigs
{
    public const string RulesFileName = "unit-economics.rules.yml";

    /// <summary>Where the repo's alertmanager.yml sends webhooks (docker-compose's receiver); the test swaps this host for its own.</summary>
    public const string ComposeWebhookBase = "http://alert-webhook:5001/";

    private static readonly ISerializer Serializer = new SerializerBuilder().Build();

    /// <summary>
    /// The repo's rules with every group evaluated each second and every alert's <c>for:</c> at 0s. The
    /// money groups run every 5m and the alerts wait 15m to 6h in production; the expressions, thresholds and
    /// labels are untouched, so what fires here is what the rules say, only sooner.
    /// </summary>
    public static string Rules()
    {
        var rules = Yaml.Load(RepoPaths.Combine("deploy", "prometheus", "rules", RulesFileName));
        foreach (var group in rules.List("groups").Maps())
        {
            group["interval"] = "1s";
            foreach (var rule in group.List("rules").Maps().Where(r => r.ContainsKey("alert")))
            {
                rule["for"] = "0s";
            }
        }

        return Serializer.Serialize(rules);
    }

    /// <summary>
    /// The repo's prometheus.yml with 1s scrape and evaluation, the rules file beside it, the test's
    /// Alertmanager, and the exporter job pointed at the test's /metrics. The compose-only jobs (an app on
    /// host.docker.internal, Prometheus itself on 9090) are dropped: nothing answers there.
    /// </summary>
    public static string Prometheus(int metricsPort, int alertmanagerPort)
    {
        var config = Yaml.Load(RepoPaths.Combine("deploy", "prometheus", "prometheus.yml"));
        var global = config.Map("global");
        global["scrape_interval"] = "1s";
        global["scrape_timeout"] = "1s";
        global["evaluation_interval"] = "1s";
        config["rule_files"] = new List<object> { RulesFileName };

        var alertmanagers = config.Map("alerting").List("alertmanagers").Maps().Single();
        alertmanagers.List("static_configs").Maps().Single()["targets"] = new List<object> { Loopback(alertmanagerPort) };

        var exporter = config.List("scrape_configs").Maps().Single(j => j.Str("job_name") == "unit-economics-exporter");
        exporter.List("static_configs").Maps().Single()["targets"] = new List<object> { Loopback(metricsPort) };
        config["scrape_configs"] = new List<object> { exporter };
        return Serializer.Serialize(config);
    }

    /// <summary>
    /// The repo's alertmanager.yml with its webhook receivers sent to <paramref name="webhook"/> (same paths,
    /// so the routing by severity shows) and group_wait/group_interval cut from minutes to a second.
    /// </summary>
    public static string Alertmanager(Uri webhook)
    {
        var config = Yaml.Load(RepoPaths.Combine("deploy", "alertmanager", "alertmanager.yml"));
        var route = config.Map("route");
        route["group_wait"] = "1s";
        route["group_interval"] = "1s";
        var rewritten = 0;
        foreach (var receiver in config.List("receivers").Maps())
        {
            foreach (var hook in (receiver.Get("webhook_configs") as List<object> ?? []).Maps())
            {
                var url = hook.Str("url");
                if (!url.StartsWith(ComposeWebhookBase, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"webhook url {url} does not start with {ComposeWebhookBase}: update the test");
                }

                hook["url"] = new Uri(webhook, url[ComposeWebhookBase.Length..]).ToString();
                rewritten++;
            }
        }

        if (rewritten == 0)
        {
            throw new InvalidOperationException("alertmanager.yml has no webhook receiver to point at the test");
        }

        return Serializer.Serialize(config);
    }

    /// <summary>
    /// History for margin compression, as OpenMetrics for promtool. The alert compares this week's recorded
    /// cost and revenue per customer with the same recorded series 7 days ago (<c>offset 7d</c>), which only
    /// exist if the rules ran a week ago: so those two recorded series are backfilled for tier pro around
    /// now − 7d (±10 min, inside the 5-minute lookback for the whole test). Then cost per customer was 5 USD
    /// a month and revenue 29; now the run rate is at least (20 USD infra) / 2 customers = 10, so cost grew
    /// by 100% or more while revenue did not grow (29 / 29).
    /// </summary>
    public static string MarginHistory(DateTimeOffset now)
    {
        var weekAgo = now - TimeSpan.FromDays(7);
        var times = Enumerable.Range(-20, 41).Select(i => weekAgo + TimeSpan.FromSeconds(30 * i)).ToArray();
        var text = new StringBuilder();
        Family(text, "tier:ai_cost_per_customer_usd:run_rate7d", "5", times);
        Family(text, "tier:ai_revenue_per_customer_usd:month", "29", times);
        text.Append("# EOF\n");
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string value, DateTimeOffset[] times)
    {
        text.Append("# TYPE ").Append(name).Append(" gauge\n");
        foreach (var t in times)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{tier=\"pro\"}} {value} {t.ToUnixTimeSeconds()}\n");
        }
    }

    private static string Loopback(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
}
