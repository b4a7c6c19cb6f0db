using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Otel.Tests.Tenants;

public sealed class TenantDirectoryParsingTests
{
    private const string Yaml = """
        # reference tiers plus a zero-revenue paid trial
        tiers:
          free:
            revenue_per_customer_per_month: 0
            infra_cost_per_month: 1200
          pro:
            revenue_per_customer_per_month: 29.99
            infra_cost_per_month: 800
          enterprise:
            revenue_per_customer_per_month: 500
            infra_cost_per_month: 2500.50
          trial:
            revenue_per_customer_per_month: 0
            free: false
        tenants:
          acme:
            tier: enterprise
            revenue_per_month: 1850.25
            engagement: 412
          globex:
            tier: enterprise
            engagement: 97.5
          initech:
            tier: pro
            engagement: 14
          hooli:
            tier: pro
            revenue_per_month: 0
          student-42:
            tier: free
        """;

    private const string Json = """
        {
          "tiers": {
            "free": { "revenue_per_customer_per_month": 0, "infra_cost_per_month": 1200 },
            "pro": { "revenue_per_customer_per_month": 29.99, "infra_cost_per_month": 800 },
            "enterprise": { "revenue_per_customer_per_month": 500, "infra_cost_per_month": 2500.50 },
            "trial": { "revenue_per_customer_per_month": 0, "free": false }
          },
          // comments are skipped
          "tenants": {
            "acme": { "tier": "enterprise", "revenue_per_month": 1850.25, "engagement": 412 },
            "globex": { "tier": "enterprise", "engagement": 97.5 },
            "initech": { "tier": "pro", "engagement": 14 },
            "hooli": { "tier": "pro", "revenue_per_month": 0 },
            "student-42": { "tier": "free" }
          }
        }
        """;

    public static TheoryData<string, string> BothFormats => new()
    {
        { Yaml, "tenants.yaml" },
        { Json, "tenants.json" },
        { Json, "tenants.conf" }, // no telling extension: sniffed as JSON from the leading '{'
        { Yaml, "tenants.conf" },
    };

    [Theory]
    [MemberData(nameof(BothFormats))]
    public void Tiers_are_read_with_exact_prices_free_default_and_infra_cost(string text, string source)
    {
        var directory = TenantDirectory.Parse(text, source);

        Assert.Equal(4, directory.Tiers.Count);
        Assert.Equal(new TierInfo("free", 0m, true, 1200m), directory.Tiers["free"]);       // free: defaulted from revenue 0
        Assert.Equal(new TierInfo("pro", 29.99m, false, 800m), directory.Tiers["pro"]);     // not free: revenue > 0
        Assert.Equal(new TierInfo("enterprise", 500m, false, 2500.50m), directory.Tiers["enterprise"]);
        Assert.Equal(new TierInfo("trial", 0m, false, 0m), directory.Tiers["trial"]);      // explicit free: false; infra defaults to 0
    }

    [Theory]
    [MemberData(nameof(BothFormats))]
    public void Tenants_get_their_tier_revenue_unless_overridden(string text, string source)
    {
        var directory = TenantDirectory.Parse(text, source);

        Assert.Equal(
            [
                new TenantInfo("acme", "enterprise", 1850.25m, 412d),  // override
                new TenantInfo("globex", "enterprise", 500m, 97.5d),   // tier price
                new TenantInfo("initech", "pro", 29.99m, 14d),         // tier price
                new TenantInfo("hooli", "pro", 0m, 0d),                // override to 0 is an override, not "absent"
                new TenantInfo("student-42", "free", 0m, 0d),          // engagement defaults to 0
            ],
            directory.Tenants);
        Assert.Equal(5, directory.TenantCount);
        Assert.Equal(source, directory.SourceName);
    }

    [Theory]
    [MemberData(nameof(BothFormats))]
    public void Per_tier_aggregates(string text, string source)
    {
        var directory = TenantDirectory.Parse(text, source);

        Assert.Equal(["acme", "globex"], directory.TenantsOfTier("enterprise").Select(t => t.Id));
        Assert.Equal(2, directory.CountOfTier("enterprise"));
        Assert.Equal(2, directory.CountOfTier("pro"));
        Assert.Equal(1, directory.CountOfTier("free"));
        Assert.Equal(0, directory.CountOfTier("trial"));
        Assert.Empty(directory.TenantsOfTier("trial"));
        Assert.Empty(directory.TenantsOfTier(TenantDirectory.UnknownTier));
        Assert.Equal(0, directory.CountOfTier("no-such-tier"));

        Assert.Equal(2350.25m, directory.RevenueOfTier("enterprise"));  // 1850.25 + 500
        Assert.Equal(29.99m, directory.RevenueOfTier("pro"));           // 29.99 + 0
        Assert.Equal(0m, directory.RevenueOfTier("trial"));

        Assert.Equal(1250.25m, directory.InfraCostPerCustomerOfTier("enterprise")); // 2500.50 / 2
        Assert.Equal(400m, directory.InfraCostPerCustomerOfTier("pro"));            // 800 / 2
        Assert.Equal(1200m, directory.InfraCostPerCustomerOfTier("free"));          // 1200 / 1
        Assert.Null(directory.InfraCostPerCustomerOfTier("trial"));                 // no customers
        Assert.Null(directory.InfraCostPerCustomerOfTier("no-such-tier"));
    }

    [Fact]
    public void TierOf_gives_the_tier_or_unknown()
    {
        var directory = TenantDirectory.Parse(Yaml, "tenants.yaml");

        Assert.Equal("enterprise", directory.TierOf("acme"));
        Assert.Equal("free", directory.TierOf("student-42"));
        Assert.Equal(TenantDirectory.UnknownTier, directory.TierOf("not-listed"));
        Assert.Equal("unknown", directory.TierOf("ACME")); // ids are exact, not case-folded
        Assert.Equal("unknown", directory.TierOf(""));
        Assert.Equal("unknown", TenantDirectory.Empty.TierOf("acme"));

        Assert.True(directory.TryGetTenant("initech", out var initech));
        Assert.Equal(new TenantInfo("initech", "pro", 29.99m, 14d), initech);
        Assert.False(directory.TryGetTenant("not-listed", out var missing));
        Assert.Null(missing);
        Assert.True(directory.TryGetTier("pro", out var pro));
        Assert.Equal(29.99m, pro.RevenuePerCustomerPerMonth);
        Assert.False(directory.TryGetTier(TenantDirectory.UnknownTier, out _));
    }

    [Fact]
    public void Tenants_section_may_be_absent_or_empty()
    {
        var absent = TenantDirectory.Parse("tiers:\n  free:\n    revenue_per_customer_per_month: 0\n", "t.yaml");
        var empty = TenantDirectory.Parse("tiers:\n  free:\n    revenue_per_customer_per_month: 0\ntenants:\n", "t.yaml");
        var emptyJson = TenantDirectory.Parse("""{ "tiers": { "free": { "revenue_per_customer_per_month": 0 } }, "tenants": {} }""", "t.json");

        Assert.All([absent, empty, emptyJson], d =>
        {
            Assert.Equal(0, d.TenantCount);
            Assert.Equal(new TierInfo("free", 0m, true, 0m), d.Tiers["free"]);
        });
    }

    [Fact]
    public void Yaml_details_quoted_numbers_exponents_anchors_and_empty_optional_fields()
    {
        const string text = """
            tiers:
              pro: &pro_price
                revenue_per_customer_per_month: "29"
                infra_cost_per_month: 1.5e3
                free: False
              pro-eu: *pro_price
            tenants:
              "007":
                tier: pro-eu
                engagement:
                revenue_per_month: ~
            """;
        var directory = TenantDirectory.Parse(text, "t.yaml");

        Assert.Equal(new TierInfo("pro", 29m, false, 1500m), directory.Tiers["pro"]);    // 1.5e3 = 1500
        Assert.Equal(new TierInfo("pro-eu", 29m, false, 1500m), directory.Tiers["pro-eu"]);
        Assert.Equal([new TenantInfo("007", "pro-eu", 29m, 0d)], directory.Tenants);
    }

    [Fact]
    public void Directory_built_in_code_rejects_duplicate_tenant_ids()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TenantDirectory(
            [new TierInfo("pro", 29m, false, 0m)],
            [new TenantInfo("a", "pro", 29m, 1d), new TenantInfo("a", "pro", 29m, 2d)]));
        Assert.Equal("tenants", ex.ParamName);
    }

    [Fact]
    public void Example_file_in_deploy_loads()
    {
        var directory = TenantDirectory.Load(Path.Combine(RepoRoot(), "deploy", "tenants.example.yaml"));

        Assert.Equal(new TierInfo("free", 0m, true, 1200m), directory.Tiers["free"]);
        Assert.Equal(new TierInfo("pro", 29m, false, 800m), directory.Tiers["pro"]);
        Assert.Equal(new TierInfo("enterprise", 500m, false, 2500m), directory.Tiers["enterprise"]);
        Assert.Equal(new TenantInfo("acme-corp", "enterprise", 1850m, 412d), directory.Tenants.First());
        Assert.Equal(7, directory.TenantCount);
        Assert.Equal(3, directory.CountOfTier("pro"));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "UnitEconomics.Otel.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
