using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests;

/// <summary>The real program, as a user runs it: bad input ends with a message and a non-zero exit, never a stack trace.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Missing_tenant_file()
    {
        var (code, output) = await Ue("demo", "--days", "1", "--tenants", "/nonexistent/tenants.yaml");
        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/tenants.yaml", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Malformed_tenant_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ue-tenants-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "tiers:\n  pro:\n    revenue_per_customer_per_month: -5\ntenants: {}\n");
        try
        {
            var (code, output) = await Ue("demo", "--days", "1", "--tenants", file);
            Assert.Equal(1, code);
            Assert.Contains(file, output, StringComparison.Ordinal);
            Assert.Contains("revenue_per_customer_per_month", output, StringComparison.Ordinal);
            AssertNoStackTrace(output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Unreachable_prometheus()
    {
        var port = ExternalBinary.FreePort();
        var (code, output) = await Ue("report", "--prometheus", $"http://127.0.0.1:{port}/");
        Assert.Equal(1, code);
        Assert.Contains($"cannot reach Prometheus at http://127.0.0.1:{port}/", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Theory]
    [InlineData("demo", "--days", "zero")]
    [InlineData("demo", "--format", "pdf")]
    [InlineData("demo", "--dayz", "3")]
    [InlineData("bogus")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var (code, output) = await Ue(args);
        Assert.Equal(2, code);
        Assert.Contains("usage:", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Demo_prints_the_whole_report()
    {
        var (code, output) = await Ue("demo", "--days", "2", "--quiet", "--format", "markdown");
        Assert.Equal(0, code);
        foreach (var section in new[] { "## Margin per tier", "## Cost per use case", "## Cost per model", "## Top 10 tenants by cost", "## Agent tasks", "## Red flags", "## Savings opportunities" })
        {
            Assert.Contains(section, output, StringComparison.Ordinal);
        }
    }

    private static void AssertNoStackTrace(string output) => Assert.DoesNotMatch(@"\n\s+at \S+\(", output);

    private static Task<(int, string)> Ue(params string[] args) =>
        ManagedProcess.RunAsync("dotnet", [RepoPaths.UeAssembly, .. args], timeout: TimeSpan.FromMinutes(3));
}
