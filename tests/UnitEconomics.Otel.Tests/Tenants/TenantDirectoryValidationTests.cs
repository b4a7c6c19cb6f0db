using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Otel.Tests.Tenants;

/// <summary>Every refusal names the file, the line, the entry and the field: the message is the whole user interface.</summary>
public sealed class TenantDirectoryValidationTests
{
    private const string Tiers = """
        tiers:
          free:
            revenue_per_customer_per_month: 0
          pro:
            revenue_per_customer_per_month: 29
        """;

    [Fact]
    public void Unknown_tier_referenced_by_a_tenant()
    {
        var ex = Fails(Tiers + """

            tenants:
              acme:
                tier: gold
            """);

        Assert.Equal("tenants.yaml:8: tenant 'acme', field 'tier': unknown tier 'gold' (known tiers: free, pro)", ex.Message);
        Assert.Equal("tenants.yaml", ex.SourceName);
        Assert.Equal(8, ex.Line);
        Assert.Equal("tenant 'acme'", ex.Entry);
        Assert.Equal("tier", ex.Field);
    }

    [Fact]
    public void Tier_names_are_case_sensitive()
    {
        var ex = Fails(Tiers + "\ntenants:\n  acme:\n    tier: Pro\n");

        Assert.Equal("tenants.yaml:8: tenant 'acme', field 'tier': unknown tier 'Pro' (known tiers: free, pro)", ex.Message);
    }

    [Fact]
    public void Tenant_without_a_tier()
    {
        var ex = Fails(Tiers + "\ntenants:\n  acme:\n    engagement: 3\n");

        Assert.Equal("tenants.yaml:7: tenant 'acme', field 'tier': missing: every tenant needs a tier", ex.Message);
    }

    [Fact]
    public void Tenant_with_nothing_under_it_has_no_tier()
    {
        var ex = Fails(Tiers + "\ntenants:\n  acme:\n");

        Assert.Equal("tenants.yaml:7: tenant 'acme', field 'tier': missing: every tenant needs a tier", ex.Message);
    }

    [Fact]
    public void Missing_tiers_section()
    {
        var ex = Fails("tenants:\n  acme:\n    tier: pro\n");

        Assert.Equal("tenants.yaml:1: field 'tiers': missing: the file must define its tiers", ex.Message);
    }

    [Fact]
    public void Tenant_referencing_a_tier_when_none_are_defined()
    {
        var ex = Fails("tiers: {}\ntenants:\n  acme:\n    tier: pro\n");

        Assert.Equal("tenants.yaml:4: tenant 'acme', field 'tier': unknown tier 'pro' (none are defined)", ex.Message);
    }

    [Theory]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: -29\n", "tenants.yaml:3: tier 'pro', field 'revenue_per_customer_per_month': must not be negative, found -29")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n    infra_cost_per_month: -0.01\n", "tenants.yaml:4: tier 'pro', field 'infra_cost_per_month': must not be negative, found -0.01")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: pro\n    revenue_per_month: -1\n", "tenants.yaml:7: tenant 'acme', field 'revenue_per_month': must not be negative, found -1")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: pro\n    engagement: -3.5\n", "tenants.yaml:7: tenant 'acme', field 'engagement': must not be negative, found -3.5")]
    public void Negative_amounts_and_engagement(string text, string message)
    {
        Assert.Equal(message, Fails(text).Message);
    }

    [Theory]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: $29\n", "tenants.yaml:3: tier 'pro', field 'revenue_per_customer_per_month': must be a number of USD, found '$29'")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: [29]\n", "tenants.yaml:3: tier 'pro', field 'revenue_per_customer_per_month': must be a number of USD, found a list")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: pro\n    engagement: .nan\n", "tenants.yaml:7: tenant 'acme', field 'engagement': must be a finite number, found '.nan'")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: pro\n    engagement: Infinity\n", "tenants.yaml:7: tenant 'acme', field 'engagement': must be a finite number, found 'Infinity'")]
    [InlineData("tiers:\n  free:\n    revenue_per_customer_per_month: 0\n    free: yes\n", "tenants.yaml:4: tier 'free', field 'free': must be true or false, found 'yes'")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: [pro]\n", "tenants.yaml:6: tenant 'acme', field 'tier': must be a tier name, found a list")]
    public void Values_of_the_wrong_kind(string text, string message)
    {
        Assert.Equal(message, Fails(text).Message);
    }

    [Fact]
    public void Tier_without_revenue()
    {
        var ex = Fails("tiers:\n  pro:\n    infra_cost_per_month: 10\n");

        Assert.Equal("tenants.yaml:2: tier 'pro', field 'revenue_per_customer_per_month': missing (USD per month)", ex.Message);
    }

    [Fact]
    public void Free_tier_with_revenue()
    {
        var ex = Fails("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n    free: true\n");

        Assert.Equal("tenants.yaml:4: tier 'pro', field 'free': a free tier cannot have revenue_per_customer_per_month 29", ex.Message);
    }

    [Fact]
    public void Reserved_tier_name()
    {
        var ex = Fails("tiers:\n  unknown:\n    revenue_per_customer_per_month: 0\n");

        Assert.Equal("tenants.yaml:2: tier 'unknown': the name 'unknown' is reserved for tenants missing from the directory", ex.Message);
    }

    [Theory]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n    revenue: 29\n", "tenants.yaml:4: tier 'pro', field 'revenue': unknown key; expected one of revenue_per_customer_per_month, free, infra_cost_per_month")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: pro\n    enagement: 4\n", "tenants.yaml:7: tenant 'acme', field 'enagement': unknown key; expected one of tier, revenue_per_month, engagement")]
    [InlineData("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ncustomers: {}\n", "tenants.yaml:4: field 'customers': unknown top-level key; expected 'tiers', 'tenants', 'infra' or 'revenue'")]
    public void Unknown_keys(string text, string message)
    {
        Assert.Equal(message, Fails(text).Message);
    }

    [Fact]
    public void Duplicate_tenant_id()
    {
        var ex = Fails(Tiers + "\ntenants:\n  acme:\n    tier: pro\n  globex:\n    tier: free\n  acme:\n    tier: free\n");

        Assert.Equal("tenants.yaml:11: tenant 'acme': duplicate tenant id (first defined on line 7)", ex.Message);
    }

    [Fact]
    public void Duplicate_tenant_id_in_json()
    {
        const string text = """
            {
              "tiers": { "pro": { "revenue_per_customer_per_month": 29 } },
              "tenants": {
                "acme": { "tier": "pro" },
                "acme": { "tier": "pro" }
              }
            }
            """;
        var ex = Fails(text, "tenants.json");

        Assert.Equal("tenants.json:5: tenant 'acme': duplicate tenant id (first defined on line 4)", ex.Message);
    }

    [Fact]
    public void Duplicate_tier_and_duplicate_field()
    {
        var tier = Fails("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n  pro:\n    revenue_per_customer_per_month: 30\n");
        var field = Fails("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n    revenue_per_customer_per_month: 30\n");
        var section = Fails("tiers: {}\ntiers: {}\n");

        Assert.Equal("tenants.yaml:4: tier 'pro': duplicate tier (first defined on line 2)", tier.Message);
        Assert.Equal("tenants.yaml:4: tier 'pro', field 'revenue_per_customer_per_month': given twice", field.Message);
        Assert.Equal("tenants.yaml:2: field 'tiers': given twice (first on line 1)", section.Message);
    }

    [Fact]
    public void Tenants_as_a_list_is_refused_with_a_pointer_to_the_mapping_form()
    {
        var ex = Fails(Tiers + "\ntenants:\n  - id: acme\n    tier: pro\n");

        Assert.Equal("tenants.yaml:7: field 'tenants': must be a mapping of tenant id to its fields (tenant-id: { tier: ... }), found a list", ex.Message);
    }

    [Fact]
    public void Malformed_yaml_names_the_line()
    {
        // Line 4 is indented less than its siblings and more than its parent.
        var ex = Fails("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n   infra_cost_per_month: 1\ntenants: {}\n");

        Assert.StartsWith("tenants.yaml:4: is not valid YAML: ", ex.Message);
        Assert.Equal(4, ex.Line);
        Assert.Null(ex.Entry);
        Assert.IsType<YamlDotNet.Core.YamlException>(ex.InnerException, exactMatch: false);
    }

    [Fact]
    public void Unclosed_flow_sequence_in_yaml_names_its_line()
    {
        // Line 4 opens a flow sequence that is never closed. YamlDotNet's scanner fails on this with an
        // InvalidOperationException rather than a YamlException; it must still come out as our error.
        var ex = Fails("tiers:\n  pro:\n    revenue_per_customer_per_month: 29\n    infra_cost_per_month: [1\ntenants: {}\n");

        Assert.Equal("tenants.yaml:4: is not valid YAML: the parser cannot go on past this line (an unclosed bracket, brace or quote?)", ex.Message);
    }

    [Fact]
    public void Unclosed_quote_in_yaml_names_the_line()
    {
        var ex = Fails("tiers:\n  pro:\n    revenue_per_customer_per_month: \"29\n");

        Assert.Equal("tenants.yaml:3: is not valid YAML: While scanning a quoted scalar, found unexpected end of stream.", ex.Message);
    }

    [Fact]
    public void Malformed_json_names_the_line()
    {
        const string text = """
            {
              "tiers": {
                "pro": { "revenue_per_customer_per_month": 29, }
              }
            }
            """;
        var ex = Fails(text, "tenants.json");

        Assert.StartsWith("tenants.json:3: is not valid JSON: ", ex.Message);
        Assert.Equal(3, ex.Line);
        Assert.IsType<System.Text.Json.JsonException>(ex.InnerException, exactMatch: false);
    }

    [Fact]
    public void Several_yaml_documents()
    {
        var ex = Fails("tiers: {}\n---\ntiers: {}\n");

        Assert.Equal("tenants.yaml:2: holds more than one YAML document; a tenant directory is one document", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\t\n")]
    [InlineData("# only a comment\n")]
    [InlineData("~\n")]
    public void Empty_file(string text)
    {
        var ex = Fails(text);

        Assert.Equal("tenants.yaml: is empty; expected 'tiers' and 'tenants'", ex.Message);
    }

    [Fact]
    public void Empty_json_file()
    {
        Assert.Equal("tenants.json: is empty; expected 'tiers' and 'tenants'", Fails("null", "tenants.json").Message);
        Assert.Equal("tenants.json: is empty; expected 'tiers' and 'tenants'", Fails("", "tenants.json").Message);
    }

    [Fact]
    public void Root_that_is_not_a_mapping()
    {
        var ex = Fails("- tiers\n");

        Assert.Equal("tenants.yaml:1: must be a mapping with 'tiers' and 'tenants', found a list", ex.Message);
    }

    [Fact]
    public void Missing_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "ue-tenants-" + Guid.NewGuid().ToString("N"), "tenants.yaml");

        var ex = Assert.Throws<TenantDirectoryException>(() => TenantDirectory.Load(path));

        Assert.Equal(path + ": file not found", ex.Message);
        Assert.Equal(path, ex.SourceName);
    }

    [Fact]
    public void Load_names_the_file_path_in_messages()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("tenants.yaml", "tiers:\n  pro:\n    revenue_per_customer_per_month: -1\n");

        var ex = Assert.Throws<TenantDirectoryException>(() => TenantDirectory.Load(path));

        Assert.Equal(path + ":3: tier 'pro', field 'revenue_per_customer_per_month': must not be negative, found -1", ex.Message);
    }

    private static TenantDirectoryException Fails(string text, string source = "tenants.yaml") =>
        Assert.Throws<TenantDirectoryException>(() => TenantDirectory.Parse(text, source));
}
