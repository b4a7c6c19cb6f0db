using System.Text.Json;
using System.Text.RegularExpressions;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Books.Tests.Reconciliation;

/// <summary>
/// The gauges pushed to a real Pushgateway, scraped by a real Prometheus (honor_labels, as shipped)
/// running the repo's billing rules with <c>for:</c> at 0s: the alerts fire on a bad reconciliation and
/// resolve when the next push is in order, as their promtool tests say.
/// </summary>
public sealed class BillingAlertsTests
{
    private static ProviderReconciliation Provider(string name, double ratio, Dictionary<string, double> coverage, DateTime until) => new()
    {
        Provider = name, BilledUsd = 100m, EstimatedUsd = (decimal)ratio * 100m, EstimateRatio = ratio,
        BilledTokens = default, TracedTokens = default, Coverage = coverage, ReconciledUntil = until,
        Verdicts = new Dictionary<Verdict, int>(),
    };

    private static ReconciliationResult Result(params ProviderReconciliation[] providers) => new()
    {
        FromUtc = DateTime.UtcNow.Date.AddDays(-7), ToUtc = DateTime.UtcNow.Date, Tolerance = 0.02, EstimateSource = "test",
        Providers = providers, Rows = [],
    };

    [SkippableFact]
    public async Task Pushed_gauges_fire_the_billing_alerts_and_a_good_push_resolves_them()
    {
        await using var pushgateway = await PushgatewayServer.StartNewAsync();
        var rules = Regex.Replace(await File.ReadAllTextAsync(RepoPaths.Combine("deploy", "prometheus", "rules", "billing.rules.yml")), @"for: \d+[mh]", "for: 0s");
        await using var prometheus = await PrometheusServer.StartNewAsync($"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [billing.rules.yml]
            scrape_configs:
              - job_name: pushgateway
                honor_labels: true
                static_configs:
                  - targets: ["{pushgateway.Target}"]
            """, new Dictionary<string, string> { ["billing.rules.yml"] = rules });
        var today = DateTime.UtcNow.Date;

        // openai: estimate 10% under the bill, input tokens 80% traced, last reconciled 3 days ago.
        // anthropic: in order (1.01, every type ≥ 95%, reconciled up to today).
        await BillingGaugePusher.PushAsync(pushgateway.Url, Result(
            Provider("openai", 0.9, new() { ["input"] = 0.8, ["cache_read"] = 1.0, ["output"] = 0.97 }, today.AddDays(-3)),
            Provider("anthropic", 1.01, new() { ["input"] = 0.99, ["cache_read"] = 0.95, ["cache_write"] = 1.0, ["output"] = 1.0 }, today)));

        var expected = new[] { "AIBillingReconciliationStale openai ", "AICostEstimateDrift openai ", "AITracingCoverageLow openai input" };
        Assert.Equal(expected, await WaitForFiringAsync(prometheus, expected));

        // The series keep the pushed job label and the provider's own labels.
        var ratio = Assert.Single((await prometheus.QueryAsync("ai_billing_estimate_ratio{provider=\"openai\"}")).EnumerateArray());
        Assert.Equal("ue_reconcile", ratio.GetProperty("metric").GetProperty("job").GetString());
        Assert.Equal("0.9", ratio.GetProperty("value")[1].GetString());

        // The next run is in order for both: the push replaces the group, and the alerts resolve.
        await BillingGaugePusher.PushAsync(pushgateway.Url, Result(
            Provider("openai", 0.98, new() { ["input"] = 0.99, ["cache_read"] = 1.0, ["output"] = 1.0 }, today),
            Provider("anthropic", 1.01, new() { ["input"] = 0.99, ["output"] = 1.0 }, today)));
        Assert.Empty(await WaitForFiringAsync(prometheus, []));
    }

    [Fact]
    public async Task The_exposition_has_one_series_per_provider_and_reconciled_token_type()
    {
        var text = await BillingGaugePusher.ExpositionAsync(Result(
            Provider("openai", 0.9, new() { ["input"] = 0.8, ["output"] = 1.0 }, new DateTime(2026, 10, 8, 0, 0, 0, DateTimeKind.Utc))));
        Assert.Contains("ai_billing_estimate_ratio{provider=\"openai\"} 0.9", text);
        Assert.Contains("ai_billing_token_coverage_ratio{provider=\"openai\",token_type=\"input\"} 0.8", text);
        Assert.Contains("ai_billing_token_coverage_ratio{provider=\"openai\",token_type=\"output\"} 1", text);
        Assert.DoesNotContain("token_type=\"cache_write\"", text);
        Assert.Contains("ai_billing_reconciled_until_timestamp_seconds{provider=\"openai\"} 1791417600", text); // 2026-10-08T00:00Z
    }

    [Fact]
    public async Task An_unreachable_pushgateway_is_a_one_line_error()
    {
        var port = ExternalBinary.FreePort();
        var error = await Assert.ThrowsAsync<ReconciliationException>(() => BillingGaugePusher.PushAsync(new Uri($"http://127.0.0.1:{port}/"), Result()));
        Assert.StartsWith($"cannot reach the Pushgateway at http://127.0.0.1:{port}/: ", error.Message);
    }

    /// <summary>Polls the firing alerts ("name provider token_type") until they are <paramref name="expected"/> for 3 evaluations running, or a minute passes.</summary>
    private static async Task<string[]> WaitForFiringAsync(PrometheusServer prometheus, string[] expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        var stable = 0;
        string[] firing = [];
        while (DateTime.UtcNow < deadline)
        {
            var alerts = (await prometheus.GetDataAsync("api/v1/alerts")).GetProperty("alerts");
            firing = [.. alerts.EnumerateArray().Where(a => a.GetProperty("state").GetString() == "firing").Select(Describe).Order(StringComparer.Ordinal)];
            stable = firing.SequenceEqual(expected) ? stable + 1 : 0;
            if (stable == 3)
            {
                return firing;
            }

            await Task.Delay(1000);
        }

        return firing;
    }

    private static string Describe(JsonElement alert)
    {
        var labels = alert.GetProperty("labels");
        string Label(string name) => labels.TryGetProperty(name, out var v) ? v.GetString()! : string.Empty;
        return $"{Label("alertname")} {Label("provider")} {Label("token_type")}";
    }
}
