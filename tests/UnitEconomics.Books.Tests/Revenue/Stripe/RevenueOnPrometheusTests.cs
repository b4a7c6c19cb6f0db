using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using UnitEconomics.Books.Revenue;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using UnitEconomics.TestSupport.Stripe;
using Xunit;
using UnitEconomics.Otel.Sources;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Books.Tests.Revenue.Stripe;

/// <summary>
/// Through the repository's own rules on a real Prometheus: revenue per customer per tier (the input
/// of AINegativeGrossMargin) and each tenant's margin (the input of AITenantNegativeMargin) move when
/// Stripe's figures move, and the per-customer alert comes and goes with them.
/// </summary>
public sealed partial class RevenueOnPrometheusTests
{
    [SkippableFact]
    public async Task The_margin_rules_revenue_input_follows_stripe()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        // The pro tier carries $225 of infrastructure a month: $75 per customer for its 3 customers.
        var file = SampleAccount.TenantFile(stripe.ApiBase).Replace("pro: { revenue_per_customer_per_month: 29 }", "pro: { revenue_per_customer_per_month: 29, infra_cost_per_month: 225 }", StringComparison.Ordinal);
        var tenants = new TenantDirectorySource(TenantDirectory.Parse(file, "tenants.yaml"));
        var refresher = new RevenueRefresher(tenants, SampleAccount.Environment, TimeSpan.FromMilliseconds(20));
        var registry = Metrics.NewCustomRegistry();
        using var provider = new ServiceCollection().AddSingleton(tenants).AddUnitEconomicsEngine().AddUnitEconomicsPrometheus(registry).BuildServiceProvider();
        provider.GetRequiredService<CostEngine>(); // the engine hands its sinks the tenant file and each reload
        Assert.True(await refresher.RefreshAsync(), refresher.LastError);

        var port = ExternalBinary.FreePort();
        using var server = new MetricServer("127.0.0.1", port, "metrics/", registry).Start();
        // The repo's rules, each group evaluated every second instead of every 5 minutes.
        var rules = GroupInterval().Replace(await File.ReadAllTextAsync(RepoPaths.Combine("deploy", "prometheus", "rules", "unit-economics.rules.yml")), "$1interval: 1s");
        await using var prometheus = await PrometheusServer.StartNewAsync(
            $$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ["rules.yml"]
            scrape_configs:
              - job_name: exporter
                static_configs:
                  - targets: ["127.0.0.1:{{port}}"]
            """,
            new Dictionary<string, string> { ["rules.yml"] = rules });

        // pro: acme $64.60 (Stripe MRR) + hooli $31.00 (the file's own) + initech $0 (trial), over 3 customers.
        await UntilAsync(prometheus, "tier:ai_revenue_per_customer_usd:month{tier=\"pro\"}", (64.60 + 31.00 + 0) / 3);
        await UntilAsync(prometheus, "tier:ai_revenue_per_customer_usd:month{tier=\"enterprise\"}", 365.00);

        // acme: $64.60 − (no AI spend + $75 infra share) = −$10.40: AITenantNegativeMargin is pending.
        await UntilAsync(prometheus, "tenant_tier:ai_margin_usd:30d{tenant=\"acme\"}", 64.60 - 75);
        await UntilAsync(prometheus, "count(ALERTS{alertname=\"AITenantNegativeMargin\",tenant=\"acme\"})", 1);

        // acme takes a fourth seat in Stripe: $87.80; pro = (87.80 + 31.00 + 0) ÷ 3 = $39.60.
        var page1 = SampleAccount.SubscriptionsPage1();
        page1[0]["items"]!["data"]![0]!["quantity"] = 4;
        stripe.Pages("/v1/subscriptions", page1, SampleAccount.SubscriptionsPage2());
        Assert.True(await refresher.RefreshAsync(), refresher.LastError);
        await UntilAsync(prometheus, "tier:ai_revenue_per_customer_usd:month{tier=\"pro\"}", 39.60);

        // acme: $87.80 − $75 = $12.80: no longer a negative margin, the alert is gone.
        await UntilAsync(prometheus, "tenant_tier:ai_margin_usd:30d{tenant=\"acme\"}", 87.80 - 75);
        await UntilAsync(prometheus, "count(ALERTS{alertname=\"AITenantNegativeMargin\",tenant=\"acme\"}) or vector(0)", 0);
    }

    private static async Task UntilAsync(PrometheusServer prometheus, string query, double expected)
    {
        var last = "nothing";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            var result = await prometheus.QueryAsync(query);
            if (result.GetArrayLength() == 1)
            {
                var value = double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                last = value.ToString(CultureInfo.InvariantCulture);
                if (Math.Abs(value - expected) < 1e-9)
                {
                    return;
                }
            }
        }

        Assert.Fail($"{query} never became {expected}; last {last}");
    }

    [GeneratedRegex(@"^(\s+)interval: \S+$", RegexOptions.Multiline)]
    private static partial Regex GroupInterval();
}
