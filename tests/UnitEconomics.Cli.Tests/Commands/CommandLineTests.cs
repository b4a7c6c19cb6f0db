using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests.Commands;

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
    [InlineData("--days", "demo", "--days", "zero")]
    [InlineData("--days", "demo", "--days", "0")]
    [InlineData("--format", "demo", "--format", "pdf")]
    [InlineData("--dayz", "demo", "--dayz", "3")]
    [InlineData("--bogus", "demo", "--bogus")]
    [InlineData("bogus", "bogus")]
    [InlineData("--window", "report", "--prometheus", "http://127.0.0.1:9/", "--window", "soon")]
    [InlineData("--listen", "demo", "--serve", "--listen", "nowhere")]
    [InlineData("--prometheus", "report")]
    public async Task Usage_errors_exit_2_naming_the_option(string named, params string[] args)
    {
        var (code, output) = await Ue(args);
        Assert.Equal(2, code);
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.Contains("--help", output, StringComparison.Ordinal);
        Assert.DoesNotContain("needs a value", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Theory]
    [InlineData("demo", "--serve")]
    [InlineData("report", "--window")]
    [InlineData("catalog", "price")]
    [InlineData("catalog price", "--provider")]
    [InlineData("catalog check", "FILE")]
    [InlineData("tenants", "--tenant-file")]
    public async Task Help_on_every_command_exits_0(string command, string mentions)
    {
        var (code, output) = await Ue([.. command.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Contains(mentions, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_output_path_in_a_missing_folder_fails_before_any_work()
    {
        var started = DateTime.UtcNow;
        var (code, output) = await Ue("demo", "--days", "30", "--out", "/nonexistent/dir/r.md");
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/dir", output, StringComparison.Ordinal);
        Assert.DoesNotContain("simulating", output, StringComparison.Ordinal); // refused before the simulation started
        AssertNoStackTrace(output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the check must not wait for the simulation");
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

    [Fact]
    public async Task Catalog_price_shows_set_prices_only_with_units_and_files()
    {
        var (code, output) = await Ue("catalog", "price", "rerank-v3.5");
        Assert.Equal(0, code);
        Assert.Contains("USD per call: 0.002", output, StringComparison.Ordinal);
        Assert.DoesNotContain("per million tokens", output, StringComparison.Ordinal); // a per-call price is not a token price
        Assert.Contains("from: default-catalog.yaml (embedded)", output, StringComparison.Ordinal);

        (code, output) = await Ue("catalog", "price", "gpt-4o-2024-08-06");
        Assert.Equal(0, code);
        Assert.Contains("USD per million tokens: input 2.5  cached_input 1.25  output 10", output, StringComparison.Ordinal);
        Assert.DoesNotContain("reasoning", output, StringComparison.Ordinal);   // unset: omitted, not blank
        Assert.DoesNotContain("per_call", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_json_catalog_is_one_line_with_one_position()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ue-catalog-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{\"gpt-x\": {\"input_cost_per_token\": 0.000001},\n \"gpt-y\": {\"input_cost_per");
        try
        {
            var (code, output) = await Ue("catalog", "check", file);
            Assert.Equal(1, code);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"'{file}' line 2: malformed JSON, column 27:", line, StringComparison.Ordinal);
            Assert.DoesNotContain("LineNumber", line, StringComparison.Ordinal); // not a second, 0-based position
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Demo_serve_listens_on_every_interface_when_asked()
    {
        // 0.0.0.0 is what the compose stack needs (its Prometheus scrapes host.docker.internal:9465);
        // the test only talks to it over loopback.
        // A port free when chosen can be taken by a parallel test before the demo binds every interface
        // to it; then the demo exits at start, and another port is tried.
        ManagedProcess? demo = null;
        var port = 0;
        for (var attempt = 1; demo is null; attempt++)
        {
            port = ExternalBinary.FreePort();
            var started = ManagedProcess.Start("dotnet", [RepoPaths.UeAssembly, "demo", "--serve", "--listen", $"0.0.0.0:{port}", "--rate", "50", "--stop-after", "20"]);
            try
            {
                await started.WaitForHttpAsync($"http://127.0.0.1:{port}/healthz", TimeSpan.FromMinutes(2));
                demo = started;
            }
            catch (InvalidOperationException) when (attempt < 3 && started.HasExited)
            {
                await started.DisposeAsync();
            }
        }

        await using var running = demo;
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.Contains("ai_requests_total", metrics, StringComparison.Ordinal);
        using var report = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/report")));
        Assert.False(report.RootElement.GetProperty("monthly_figures").GetBoolean()); // seconds of traffic are not a month
        Assert.All(report.RootElement.GetProperty("tiers").EnumerateArray(), t => Assert.Equal(System.Text.Json.JsonValueKind.Null, t.GetProperty("margin_per_customer_per_month").ValueKind));
    }

    private static void AssertNoStackTrace(string output) => Assert.DoesNotMatch(@"\n\s+at \S+\(", output);

    private static Task<(int, string)> Ue(params string[] args) =>
        ManagedProcess.RunAsync("dotnet", [RepoPaths.UeAssembly, .. args], timeout: TimeSpan.FromMinutes(3));
}
