using System.Text.Json;
using UnitEconomics.TestSupport;
using UnitEconomics.TestSupport.Stripe;
using Xunit;

namespace UnitEconomics.Cli.Tests.Commands;

/// <summary><c>ue tenants</c>, run as a user runs it, against a loopback Stripe: the resolved tier and revenue of each tenant, their figure and source; the key nowhere in the output.</summary>
public sealed class TenantsCommandTests : IDisposable
{
    private readonly List<string> files = [];

    public void Dispose() => this.files.ForEach(File.Delete);

    [Fact]
    public async Task Lists_each_tenants_tier_revenue_figure_and_source_as_json()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var file = await TenantFile(stripe);

        var (code, output) = await Ue(StripeLoopback.Key, "tenants", "--tenant-file", file, "--format", "json");

        Assert.Equal(0, code);
        Assert.DoesNotContain(StripeLoopback.Key, output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("stripe mrr", json.RootElement.GetProperty("revenue_source").GetString());
        var rows = json.RootElement.GetProperty("tenants").EnumerateArray().ToDictionary(r => r.GetProperty("tenant").GetString()!);

        // acme: tier from the file, revenue = its MRR ($29 × 3 − 20 % − $5 = $64.60) from Stripe.
        Assert.Equal(("pro", "tenant file", 64.60m, "mrr", "stripe"), Row(rows["acme"]));

        // hooli: the file's own $31 stays the override.
        Assert.Equal(("pro", "tenant file", 31m, "file", "tenant file"), Row(rows["hooli"]));

        // globex: only Stripe knows it; tier from its plan's product, $4,380 a year ÷ 12 = $365.00.
        Assert.Equal(("enterprise", "stripe", 365.00m, "mrr", "stripe"), Row(rows["globex"]));

        // cus_tokyo: billed in JPY with no rate: tier unknown, no revenue, and the reason.
        Assert.Equal("unknown", rows["cus_tokyo"].GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.Null, rows["cus_tokyo"].GetProperty("revenue_per_month").ValueKind);
        Assert.Contains("excluded from margins", rows["cus_tokyo"].GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_key_is_one_line_exit_1_and_the_file_figures_are_shown()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var file = await TenantFile(stripe);
        const string WrongKey = "sk_test_51AnotherKeyWhichStripeRefuses";

        var (code, output) = await Ue(WrongKey, "tenants", "--tenant-file", file);

        Assert.Equal(1, code);
        Assert.DoesNotContain(WrongKey, output, StringComparison.Ordinal);
        Assert.Contains("401 Unauthorized: the secret key in UE_TEST_STRIPE_KEY was refused", output, StringComparison.Ordinal);
        Assert.Contains("tier price", output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\n\s+at \S+\(", output);
    }

    private static (string?, string?, decimal?, string?, string?) Row(JsonElement row) =>
        (row.GetProperty("tier").GetString(), row.GetProperty("tier_source").GetString(), row.GetProperty("revenue_per_month").GetDecimal(),
         row.GetProperty("figure").GetString(), row.GetProperty("source").GetString());

    private async Task<string> TenantFile(StripeLoopback stripe)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ue-tenants-{Guid.NewGuid():N}.yaml");
        this.files.Add(file);
        await File.WriteAllTextAsync(file, SampleAccount.TenantFile(stripe.ApiBase));
        return file;
    }

    private static Task<(int, string)> Ue(string key, params string[] args) =>
        ManagedProcess.RunAsync("dotnet", [RepoPaths.UeAssembly, .. args], timeout: TimeSpan.FromMinutes(3), environment: new Dictionary<string, string> { ["UE_TEST_STRIPE_KEY"] = key });
}
