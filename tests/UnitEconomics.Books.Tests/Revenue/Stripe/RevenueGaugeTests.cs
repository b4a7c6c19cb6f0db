using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.TestSupport.Stripe;
using Xunit;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Books.Tests.Revenue.Stripe;

/// <summary>
/// The tenant gauges on the real prometheus-net sink (wired as a host wires it) follow the billing
/// source: a new figure in Stripe moves <c>ai_tenant_revenue_usd_per_month</c>, which the margin rules
/// and the margin table read.
/// </summary>
public sealed class RevenueGaugeTests
{
    [Fact]
    public async Task The_revenue_gauges_follow_stripe_and_the_file_stays_the_override()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var (refresher, tenants) = StripeFailureTests.Refresher(stripe);
        var registry = Metrics.NewCustomRegistry();
        var services = new ServiceCollection().AddSingleton(tenants).AddUnitEconomicsEngine().AddUnitEconomicsPrometheus(registry);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<CostEngine>(); // the engine hands its sinks the tenant file and each reload

        // Before the first read: the file's figures (acme at its tier price, hooli's own figure).
        var before = await Scrape(registry);
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"acme\",tier=\"pro\"} 29\n", before, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant=\"globex\"", before, StringComparison.Ordinal);

        Assert.True(await refresher.RefreshAsync(), refresher.LastError);
        var first = await Scrape(registry);

        // acme's MRR ($64.60) replaces its tier price; hooli keeps the file's $31; globex comes in at its plan's tier.
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"acme\",tier=\"pro\"} 64.6\n", first, StringComparison.Ordinal);
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"hooli\",tier=\"pro\"} 31\n", first, StringComparison.Ordinal);
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"globex\",tier=\"enterprise\"} 365\n", first, StringComparison.Ordinal);
        Assert.Contains("ai_tenant_info{tenant=\"globex\",tier=\"enterprise\"} 1\n", first, StringComparison.Ordinal);
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"initech\",tier=\"pro\"} 0\n", first, StringComparison.Ordinal);

        // Billed in JPY with no rate: kept out, not added at a made-up figure.
        Assert.DoesNotContain("cus_tokyo", first, StringComparison.Ordinal);

        // acme adds a fourth seat in Stripe: $29.00 × 4 = $116.00; 20 % off → $92.80; $5.00 off → $87.80.
        var page1 = SampleAccount.SubscriptionsPage1();
        page1[0]["items"]!["data"]![0]!["quantity"] = 4;
        stripe.Pages("/v1/subscriptions", page1, SampleAccount.SubscriptionsPage2());
        Assert.True(await refresher.RefreshAsync(), refresher.LastError);
        var second = await Scrape(registry);
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"acme\",tier=\"pro\"} 87.8\n", second, StringComparison.Ordinal);

        // A file reload keeps the billing figures laid over it.
        tenants.Replace(SampleAccount.Directory(stripe.ApiBase));
        var third = await Scrape(registry);
        Assert.Contains("ai_tenant_revenue_usd_per_month{tenant=\"acme\",tier=\"pro\"} 87.8\n", third, StringComparison.Ordinal);
        Assert.Equal(0, refresher.Failures);
    }

    private static async Task<string> Scrape(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
