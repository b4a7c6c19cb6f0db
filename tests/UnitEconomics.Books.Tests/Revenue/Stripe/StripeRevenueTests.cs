using UnitEconomics.TestSupport.Stripe;
using Xunit;
using UnitEconomics.Books.Revenue;
using UnitEconomics.Books.Revenue.Stripe;

namespace UnitEconomics.Books.Tests.Revenue.Stripe;

/// <summary>MRR and recognised revenue read through Stripe.net from a loopback Stripe (see <see cref="SampleAccount"/>), checked against figures worked out by hand.</summary>
public sealed class StripeRevenueTests
{
    private static readonly DateOnly Sep = new(2026, 9, 1);
    private static readonly DateOnly Oct = new(2026, 10, 1);
    private static readonly DateOnly Nov = new(2026, 11, 1);

    [Fact]
    public async Task Mrr_per_tenant_follows_quantity_discounts_yearly_plans_trials_and_cancellations()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var snapshot = await Read(stripe);

        var byTenant = snapshot.Tenants.ToDictionary(t => t.Tenant);
        Assert.Equal(["acme", "cus_tokyo", "globex", "hooli", "initech"], byTenant.Keys.Order(StringComparer.Ordinal));

        // acme: $29.00 × 3 seats = $87.00; 20 % off → $69.60; $5.00 off → $64.60.
        Assert.Equal(64.60m, byTenant["acme"].MrrUsd);

        // globex: $4,380.00 a year ÷ 12 = $365.00; the tenant comes from the expanded customer's metadata.
        Assert.Equal(365.00m, byTenant["globex"].MrrUsd);
        Assert.Equal("enterprise", byTenant["globex"].PlanTier);

        // initech is trialing: 0, but its plan still says pro. hooli's subscription is canceled: nothing recurring.
        Assert.Equal(0m, byTenant["initech"].MrrUsd);
        Assert.Equal("pro", byTenant["initech"].PlanTier);
        Assert.Equal(0m, byTenant["hooli"].MrrUsd);
        Assert.Null(byTenant["hooli"].PlanTier);

        // cus_tokyo (no metadata: the customer id): ¥9,000 every 3 months = ¥3,000 a month, but no JPY rate.
        Assert.Null(byTenant["cus_tokyo"].MrrUsd);
        Assert.Contains("JPY", byTenant["cus_tokyo"].Flag, StringComparison.Ordinal);
        Assert.Contains("excluded from margins", byTenant["cus_tokyo"].Flag, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recognised_revenue_per_calendar_month_spreads_paid_invoices_over_their_period_less_credit_notes()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var snapshot = await Read(stripe);
        var byTenant = snapshot.Tenants.ToDictionary(t => t.Tenant);

        Assert.Equal([Sep, Oct, Nov], snapshot.Months);

        // acme: $64.60 in October less the $10.00 credit note = $54.60; $64.60 in November (the void note is ignored).
        Assert.Equal(0m, byTenant["acme"].RecognisedUsd[Sep]);
        Assert.Equal(54.60m, byTenant["acme"].RecognisedUsd[Oct]);
        Assert.Equal(64.60m, byTenant["acme"].RecognisedUsd[Nov]);

        // globex paid $4,380.00 for 365 days = $12.00 a day: Sep 30 d = $360.00, Oct 31 d = $372.00, Nov 30 d = $360.00.
        Assert.Equal(360.00m, byTenant["globex"].RecognisedUsd[Sep]);
        Assert.Equal(372.00m, byTenant["globex"].RecognisedUsd[Oct]);
        Assert.Equal(360.00m, byTenant["globex"].RecognisedUsd[Nov]);

        // hooli paid $29.00 for September before it canceled; initech's $5.00 credit note (invoice before the window) counts in October.
        Assert.Equal(29.00m, byTenant["hooli"].RecognisedUsd[Sep]);
        Assert.Equal(-5.00m, byTenant["initech"].RecognisedUsd[Oct]);

        // JPY without a rate has no USD value.
        Assert.Null(byTenant["cus_tokyo"].RecognisedUsd[Nov]);
    }

    [Fact]
    public async Task A_dated_rate_table_converts_a_zero_decimal_currency()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        const string Rates = """
              rates:
                - { currency: jpy, usd: 0.0070, from: 2025-01-01 }
                - { currency: jpy, usd: 0.0065, from: 2026-01-01 }
            """;
        var snapshot = await Read(stripe, Rates);
        var tokyo = snapshot.Tenants.Single(t => t.Tenant == "cus_tokyo");

        // ¥3,000 a month × $0.0065 (the 2026 line) = $19.50. JPY amounts are whole yen, not hundredths.
        Assert.Equal(19.50m, tokyo.MrrUsd);
        Assert.Null(tokyo.Flag);

        // ¥9,100 paid for 91 days = ¥100 a day: Sep ¥3,000 → $19.50, Oct ¥3,100 → $20.15, Nov ¥3,000 → $19.50.
        Assert.Equal(19.50m, tokyo.RecognisedUsd[Sep]);
        Assert.Equal(20.15m, tokyo.RecognisedUsd[Oct]);
        Assert.Equal(19.50m, tokyo.RecognisedUsd[Nov]);
    }

    [Fact]
    public async Task Pages_are_followed_with_starting_after_and_the_key_is_sent_as_a_bearer_token()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        await Read(stripe);

        var subscriptionRequests = stripe.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/subscriptions", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, subscriptionRequests.Count);
        Assert.DoesNotContain("starting_after", subscriptionRequests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("starting_after=sub_globex", subscriptionRequests[1].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("status=all", subscriptionRequests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("data.discounts.source.coupon", subscriptionRequests[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(stripe.Requests, r => r.PathAndQuery.StartsWith("/v1/invoices", StringComparison.Ordinal) && r.PathAndQuery.Contains("status=paid", StringComparison.Ordinal));
        Assert.All(stripe.Requests, r => Assert.Equal("Bearer " + StripeLoopback.Key, r.Authorization));
    }

    [Fact]
    public async Task Saved_list_responses_give_the_same_figures_as_the_live_read()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var live = await Read(stripe);

        using var dir = new TempDir();
        var pages = new System.Text.Json.Nodes.JsonArray(Page(SampleAccount.SubscriptionsPage1(), true), Page(SampleAccount.SubscriptionsPage2(), false));
        File.WriteAllText(Path.Combine(dir.Path, "subscriptions.json"), pages.ToJsonString());
        File.WriteAllText(Path.Combine(dir.Path, "invoices.json"), Page(SampleAccount.Invoices(), false).ToJsonString());
        File.WriteAllText(Path.Combine(dir.Path, "credit_notes.json"), Page(SampleAccount.CreditNotes(), false).ToJsonString());
        var tenantFile = Path.Combine(dir.Path, "tenants.yaml");
        File.WriteAllText(tenantFile, """
            tiers:
              pro: { revenue_per_customer_per_month: 29 }
              enterprise: { revenue_per_customer_per_month: 500 }
            revenue:
              plan_tiers: { price_pro_monthly: pro, prod_enterprise: enterprise }
              stripe:
                saved: { subscriptions: subscriptions.json, invoices: invoices.json, credit_notes: credit_notes.json }
            """);
        var settings = RevenueSettings.From(UnitEconomics.Otel.Tenants.TenantDirectory.Load(tenantFile))!;
        var saved = await StripeRevenue.ReadAsync(settings, now: SampleAccount.Now);

        Assert.Equal("stripe export", saved.Source);
        Assert.Equal(
            live.Tenants.Select(t => (t.Tenant, t.MrrUsd, t.RecognisedUsd[Nov], t.RecognisedUsd[Oct], t.RecognisedUsd[Sep])),
            saved.Tenants.Select(t => (t.Tenant, t.MrrUsd, t.RecognisedUsd[Nov], t.RecognisedUsd[Oct], t.RecognisedUsd[Sep])));
    }

    internal static Task<RevenueSnapshot> Read(StripeLoopback stripe, string extra = "")
    {
        var settings = RevenueSettings.From(SampleAccount.Directory(stripe.ApiBase, extra))!;
        return StripeRevenue.ReadAsync(settings, SampleAccount.Environment, TimeSpan.FromMilliseconds(20), SampleAccount.Now);
    }

    private static System.Text.Json.Nodes.JsonObject Page(System.Text.Json.Nodes.JsonObject[] data, bool hasMore) => new()
    {
        ["object"] = "list",
        ["data"] = new System.Text.Json.Nodes.JsonArray([.. data]),
        ["has_more"] = hasMore,
        ["url"] = "/v1/subscriptions",
    };
}

/// <summary>A temporary folder, deleted with its files.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ue-books-").FullName;

    public void Dispose() => Directory.Delete(this.Path, recursive: true);
}
