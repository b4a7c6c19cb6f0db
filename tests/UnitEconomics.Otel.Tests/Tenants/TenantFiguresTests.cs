using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Tenants;
using Xunit;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Otel.Tests.Tenants;

/// <summary>A host's billing figures laid over the tenant file: the file stays the override, the revenue section is carried unread.</summary>
public sealed class TenantFiguresTests
{
    private const string File = """
        tiers:
          free: { revenue_per_customer_per_month: 0 }
          pro: { revenue_per_customer_per_month: 29 }
          enterprise: { revenue_per_customer_per_month: 500 }
        tenants:
          acme: { tier: pro, engagement: 12 }
          hooli: { tier: pro, revenue_per_month: 31 }
        revenue:
          stripe:
            api_key_env: STRIPE_API_KEY
        """;

    private static readonly TenantFigureSet Billing = new(
        "stripe mrr",
        new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero),
        [
            new TenantFigure("acme", "enterprise", 64.60m),
            new TenantFigure("hooli", "pro", 12.00m),
            new TenantFigure("globex", "enterprise", 365m),
            new TenantFigure("unmapped", null, 50m),
            new TenantFigure("undefined-tier", "gold", 50m),
            new TenantFigure("no-rate", "pro", null),
        ]);

    [Fact]
    public void Billing_revenue_replaces_tier_prices_but_not_a_tenants_own_figure_nor_its_tier()
    {
        var merged = TenantDirectory.Parse(File, "tenants.yaml").WithFigures(Billing);

        Assert.True(merged.TryGetTenant("acme", out var acme));
        Assert.Equal(("pro", 64.60m, 12d, "file", "stripe mrr"), (acme.Tier, acme.RevenuePerMonth, acme.Engagement, acme.TierSource, acme.RevenueSource));
        Assert.True(merged.TryGetTenant("hooli", out var hooli));
        Assert.Equal((31m, "file"), (hooli.RevenuePerMonth, hooli.RevenueSource));
        Assert.True(merged.TryGetTenant("globex", out var globex));
        Assert.Equal(("enterprise", 365m, "stripe mrr"), (globex.Tier, globex.RevenuePerMonth, globex.TierSource));

        // No tier for its plan, a tier the file does not define, or no USD figure: left out (tier unknown).
        Assert.Equal(TenantDirectory.UnknownTier, merged.TierOf("unmapped"));
        Assert.Equal(TenantDirectory.UnknownTier, merged.TierOf("undefined-tier"));
        Assert.Equal(TenantDirectory.UnknownTier, merged.TierOf("no-rate"));
        Assert.Equal(64.60m + 31m, merged.RevenueOfTier("pro"));
        Assert.Same(Billing, merged.Figures);
    }

    [Fact]
    public void The_revenue_section_is_carried_with_its_lines()
    {
        var directory = TenantDirectory.Parse(File, "tenants.yaml");

        Assert.NotNull(directory.RevenueSettings);
        Assert.True(directory.RevenueSettings.TryGet("stripe", out var stripe));
        Assert.True(stripe.TryGet("api_key_env", out var key));
        Assert.Equal(("STRIPE_API_KEY", 10), (key.Text, key.Line));
        Assert.Equal("tenants.yaml:10: field 'revenue.stripe.api_key_env': must be a name", key.Error("must be a name").Message);
        Assert.Equal(TenantFigureSources.TierPrice, directory.Tenants.First().RevenueSource);
    }

    [Fact]
    public void The_source_keeps_the_figures_over_a_file_reload_and_drops_them_when_told()
    {
        var source = new TenantDirectorySource(TenantDirectory.Parse(File, "tenants.yaml"));
        var published = new List<TenantDirectory>();
        source.Reloaded += published.Add;

        source.ApplyFigures(Billing);
        source.Replace(TenantDirectory.Parse(File.Replace("engagement: 12", "engagement: 13", StringComparison.Ordinal), "tenants.yaml"));
        Assert.True(source.Current.TryGetTenant("acme", out var acme));
        Assert.Equal((64.60m, 13d), (acme.RevenuePerMonth, acme.Engagement));

        source.ApplyFigures(null);
        Assert.True(source.Current.TryGetTenant("acme", out acme));
        Assert.Equal(29m, acme.RevenuePerMonth);
        Assert.Equal(3, published.Count);
    }
}
