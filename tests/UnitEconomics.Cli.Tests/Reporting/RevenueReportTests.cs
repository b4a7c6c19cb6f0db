using UnitEconomics.Books.Revenue;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.TestSupport;
using UnitEconomics.TestSupport.Stripe;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

/// <summary>The margin table follows the billing source: a new figure in Stripe changes revenue and margin per customer; the report names the source and its freshness.</summary>
public sealed class RevenueReportTests
{
    [Fact]
    public async Task The_margin_table_changes_when_stripe_revenue_changes()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var before = await Report(stripe);

        // pro: acme's MRR $64.60 + hooli's own $31.00 (the file's) + initech's trial $0, over 3 customers;
        // $30.00 of AI spend in 30 days = $10.00 per customer.
        var pro = before.Tiers.Single(t => t.Tier == "pro");
        Assert.Equal(3, pro.Customers);
        Assert.Equal((64.60m + 31.00m + 0m) / 3, pro.RevenuePerCustomerPerMonth);
        Assert.Equal(((64.60m + 31.00m + 0m) / 3) - 10.00m, pro.MarginPerCustomerPerMonth);

        // enterprise: globex alone, $4,380 a year ÷ 12 = $365.00, placed there by its plan.
        Assert.Equal(365.00m, before.Tiers.Single(t => t.Tier == "enterprise").RevenuePerCustomerPerMonth);

        // acme takes a fourth seat: $116.00 − 20 % − $5.00 = $87.80; pro = (87.80 + 31.00 + 0) ÷ 3 = $39.60, margin $29.60.
        var page1 = SampleAccount.SubscriptionsPage1();
        page1[0]["items"]!["data"]![0]!["quantity"] = 4;
        stripe.Pages("/v1/subscriptions", page1, SampleAccount.SubscriptionsPage2());
        var after = await Report(stripe);
        var proAfter = after.Tiers.Single(t => t.Tier == "pro");
        Assert.Equal(39.60m, proAfter.RevenuePerCustomerPerMonth);
        Assert.Equal(29.60m, proAfter.MarginPerCustomerPerMonth);

        var text = ReportRenderer.Render(after, ReportFormat.Table);
        Assert.Contains("Revenue: stripe (mrr feeds the margin), read ", text, StringComparison.Ordinal);
        Assert.Contains("REVENUE FROM BILLING (STRIPE)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(StripeLoopback.Key, text + ReportRenderer.Render(after, ReportFormat.Json), StringComparison.Ordinal);
        Assert.Equal(87.80m, after.Revenue!.Tenants.Single(t => t.Tenant == "acme").Mrr);

        // Recognised revenue of the last complete month is in the report beside MRR.
        Assert.Equal(360.00m, after.Revenue.Tenants.Single(t => t.Tenant == "globex").Recognised);
    }

    [Fact]
    public async Task The_demo_runs_from_its_subscriptions_written_as_stripe_returns_them()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ue-stripe-export-{Guid.NewGuid():N}");
        try
        {
            var (code, output) = await ManagedProcess.RunAsync("dotnet", [RepoPaths.UeAssembly, "demo", "--days", "1", "--quiet", "--format", "json", "--stripe-export", folder], timeout: TimeSpan.FromMinutes(3));
            Assert.Equal(0, code);
            var report = ReportRenderer.FromJson(output)!;
            Assert.Equal("stripe export", report.Revenue!.Source);

            // The shipped file's 16 enterprise tenants: 12 at the $500 list price and 4 negotiated ($450, $400, $400, $450), all now from the export.
            var enterprise = report.Tiers.Single(t => t.Tier == "enterprise");
            Assert.Equal(((12 * 500m) + 450m + 400m + 400m + 450m) / 16, enterprise.RevenuePerCustomerPerMonth);
            Assert.Equal(450m, report.Revenue.Tenants.Single(t => t.Tenant == "ent-globex-002").Mrr);
            Assert.True(File.Exists(Path.Combine(folder, "subscriptions.json")));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static async Task<UnitEconomicsReport> Report(StripeLoopback stripe)
    {
        var loaded = await RevenueLoader.ApplyAsync(SampleAccount.Directory(stripe.ApiBase), SampleAccount.Environment, SampleAccount.Now);
        Assert.Null(loaded.Error);
        var from = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var inputs = new ReportInputs { FromUtc = from, ToUtc = from.AddDays(30), Source = "test", Directory = loaded.Directory, Revenue = loaded };
        inputs.Tenants["acme"] = new TenantTotals { Tier = "pro", Cost = 12m, Calls = 100 };
        inputs.Tenants["hooli"] = new TenantTotals { Tier = "pro", Cost = 18m, Calls = 100 };
        return ReportBuilder.Build(inputs, PriceCatalog.LoadDefault());
    }
}
