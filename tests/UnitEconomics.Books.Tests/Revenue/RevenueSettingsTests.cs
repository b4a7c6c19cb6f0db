using UnitEconomics.Books.Revenue;
using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Books.Tests.Revenue;

/// <summary>The revenue section is checked like the rest of the tenant file: one line naming the file, the line and the field.</summary>
public sealed class RevenueSettingsTests
{
    private const string Tiers = "tiers:\n  pro: { revenue_per_customer_per_month: 29 }\n";

    [Theory]
    [InlineData("revenue:\n  stripe:\n    refresh: hourly\n", "tenants.yaml:5: field 'revenue.stripe.refresh': must be a duration such as 15m, 1h or 1d, found 'hourly'")]
    [InlineData("revenue:\n  stripe:\n    refresh: 1s\n", "tenants.yaml:5: field 'revenue.stripe.refresh': must be at least 10s (Stripe rate-limits reads), found '1s'")]
    [InlineData("revenue:\n  stripe:\n    api_kee_env: X\n", "tenants.yaml:5: field 'revenue.stripe.api_kee_env': unknown key; expected one of api_key_env, api_base, tenant_metadata_key, refresh, months, max_retries, saved")]
    [InlineData("revenue:\n  plan_tiers: { price_x: gold }\n  stripe: {}\n", "tenants.yaml:4: field 'revenue.plan_tiers.price_x': unknown tier 'gold' (known tiers: pro)")]
    [InlineData("revenue:\n  figure: arr\n  stripe: {}\n", "tenants.yaml:4: field 'revenue.figure': must be 'mrr' or 'recognised', found 'arr'")]
    [InlineData("revenue:\n  stripe:\n    api_base: ftp://x\n", "tenants.yaml:5: field 'revenue.stripe.api_base': must be an http(s) URL, found 'ftp://x'")]
    [InlineData("revenue:\n  rates:\n    - { currency: eur, usd: 1.1, from: 2026-13-01 }\n  stripe: {}\n", "tenants.yaml:5: field 'revenue.rates[0].from': must be a date YYYY-MM-DD, found '2026-13-01'")]
    [InlineData("revenue:\n  figure: mrr\n", "tenants.yaml:4: field 'revenue': needs a source: 'stripe' (live, with api_key_env) or 'stripe' with 'saved' list files")]
    public void A_bad_revenue_section_is_one_line_pointing_at_the_field(string section, string message)
    {
        var directory = TenantDirectory.Parse(Tiers + section, "tenants.yaml");
        var ex = Assert.Throws<TenantDirectoryException>(() => RevenueSettings.From(directory));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Defaults_are_live_stripe_with_the_documented_values()
    {
        var settings = RevenueSettings.From(TenantDirectory.Parse(Tiers + "revenue:\n  stripe: {}\n", "tenants.yaml"))!;

        Assert.Equal(RevenueFigure.Mrr, settings.Figure);
        Assert.Equal(new StripeApiSettings("STRIPE_API_KEY", new Uri("https://api.stripe.com"), TimeSpan.FromHours(1), 3), settings.Api);
        Assert.Equal(("tenant_id", 3, "stripe"), (settings.TenantMetadataKey, settings.Months, settings.SourceName));
        Assert.Null(RevenueSettings.From(TenantDirectory.Parse(Tiers, "tenants.yaml")));
    }
}
