using Microsoft.Extensions.DependencyInjection;
using UnitEconomics.Books.Revenue;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Sources;
using UnitEconomics.TestSupport.Stripe;
using Xunit;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>The service reads the billing source its tenant file names: revenue gauges from Stripe, failures counted on /metrics, the file's figures kept.</summary>
public sealed class EngineRevenueTests
{
    [Fact]
    public async Task The_service_publishes_stripe_revenue_and_counts_a_failed_read()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var file = Path.Combine(Directory.CreateTempSubdirectory("exporter-revenue-").FullName, "tenants.yaml");
        await File.WriteAllTextAsync(file, SampleAccount.TenantFile(stripe.ApiBase));
        var key = SampleAccount.Environment("UE_TEST_STRIPE_KEY");
        await using var exporter = await EngineExporter.StartAsync(
            ["UnitEconomics:TenantFile=" + file],
            s => s.AddSingleton(sp => new RevenueRefresher(sp.GetRequiredService<TenantDirectorySource>(), _ => Volatile.Read(ref key), TimeSpan.FromMilliseconds(20))));

        // acme: $29 × 3 − 20 % − $5 = $64.60 from Stripe; the good read is stamped and no failure counted.
        var scrape = await UntilAsync(exporter, s => s.Sum("ai_revenue_last_refresh_timestamp_seconds", ("source", "stripe")) > 0);
        Assert.Equal(64.60m, scrape.Money("ai_tenant_revenue_usd_per_month", ("tenant", "acme")));
        Assert.Equal(365.00m, scrape.Money("ai_tenant_revenue_usd_per_month", ("tenant", "globex"), ("tier", "enterprise")));
        Assert.Equal(0, scrape.Sum("ai_revenue_refresh_failures_total", ("source", "stripe")));
        Assert.True(scrape.Sum("ai_revenue_last_refresh_timestamp_seconds", ("source", "stripe")) > 1.7e9);

        // The key is revoked: the next read fails, is counted, and the figures stay.
        Volatile.Write(ref key, "sk_test_51RevokedKey");
        var refresher = exporter.App.Services.GetRequiredService<RevenueRefresher>();
        Assert.False(await refresher.RefreshAsync());
        scrape = await exporter.ScrapeAsync();
        Assert.Equal(1, scrape.Sum("ai_revenue_refresh_failures_total", ("source", "stripe")));
        Assert.Equal(64.60m, scrape.Money("ai_tenant_revenue_usd_per_month", ("tenant", "acme")));
    }

    private static async Task<Scrape> UntilAsync(EngineExporter exporter, Func<Scrape, bool> done)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            var scrape = await exporter.ScrapeAsync();
            if (done(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }
        }
    }
}
