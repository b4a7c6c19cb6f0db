using System.Globalization;
using System.Text.Json;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests.Commands;

/// <summary><c>ue reconcile</c> and <c>ue demo --bills</c> as a user runs them: the planted flaws found and named, bad input one line.</summary>
public sealed class ReconcileCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ue-reconcile-").FullName;

    public void Dispose() => Directory.Delete(this.dir, recursive: true);

    [Fact]
    public async Task Demo_bills_reconcile_to_the_planted_coverage_gap_and_price_drift()
    {
        var (code, output) = await Ue("demo", "--days", "4", "--quiet", "--bills", this.dir, "--format", "json", "--out", Path.Combine(this.dir, "report.json"));
        Assert.True(code == 0, output);
        Assert.Contains("reconcile them with:", output, StringComparison.Ordinal);
        string[] bills = ["--openai-costs", Bill("openai-costs"), "--openai-usage", Bill("openai-usage"), "--anthropic-costs", Bill("anthropic-costs"), "--anthropic-usage", Bill("anthropic-usage")];

        (code, output) = await Ue(["reconcile", "--demo", "--days", "4", "--format", "json", .. bills]);
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().Select(r => (
            Provider: r.GetProperty("provider").GetString()!, Day: r.GetProperty("day").GetDateTime(), Model: r.GetProperty("model").GetString()!,
            Verdict: r.GetProperty("verdict").GetString()!, Ratio: r.GetProperty("cost_ratio").GetDouble(), Coverage: r.GetProperty("coverage"))).ToList();

        // gpt-4.1-mini's price went up 10% from the middle of the 4 days (2026-10-03): the estimate is 1/1.1 of the bill those days.
        var repriceDay = new DateTime(2026, 10, 3);
        var drift = rows.Where(r => r.Verdict == "price_drift").ToList();
        Assert.Equal([repriceDay, repriceDay.AddDays(1)], drift.Select(r => r.Day));
        Assert.All(drift, r => Assert.Equal(("openai", "gpt-4.1-mini"), (r.Provider, r.Model)));
        Assert.All(drift, r => Assert.Equal(1 / 1.1, r.Ratio, 6));

        // 8% of claude-sonnet-4-5's calls were made untraced: its rows are the only coverage gaps, short of the bill.
        var gaps = rows.Where(r => r.Verdict == "coverage_gap").ToList();
        Assert.NotEmpty(gaps);
        Assert.All(gaps, r => Assert.Equal(("anthropic", "claude-sonnet-4-5"), (r.Provider, r.Model)));
        Assert.All(gaps, r => Assert.InRange(r.Coverage.GetDouble(), 0.5, 0.98));
        Assert.All(rows.Where(r => r.Verdict is not ("price_drift" or "coverage_gap")), r => Assert.Equal("matched", r.Verdict));

        (code, output) = await Ue(["reconcile", "--demo", "--days", "4", "--format", "csv", .. bills]);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("provider,day,model,names,verdict,billed_usd,estimated_usd,cost_ratio,", lines[0], StringComparison.Ordinal);
        Assert.Equal(rows.Count + 1, lines.Length);
    }

    [SkippableFact]
    public async Task The_gauges_are_pushed_to_a_real_pushgateway_under_the_job()
    {
        await using var pushgateway = await PushgatewayServer.StartNewAsync();
        var (code, output) = await Ue("demo", "--days", "2", "--quiet", "--bills", this.dir, "--out", Path.Combine(this.dir, "report.txt"));
        Assert.True(code == 0, output);
        (code, output) = await Ue("reconcile", "--demo", "--days", "2", "--anthropic-costs", Bill("anthropic-costs"), "--anthropic-usage", Bill("anthropic-usage"),
            "--pushgateway", pushgateway.Url.ToString(), "--format", "json", "--out", Path.Combine(this.dir, "reconciliation.json"));
        Assert.True(code == 0, output);

        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(this.dir, "reconciliation.json")));
        var anthropic = result.RootElement.GetProperty("providers")[0];
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(pushgateway.Url, "metrics"));
        var ratio = anthropic.GetProperty("estimate_ratio").GetDouble();
        var line = metrics.Split('\n').Single(l => l.StartsWith("ai_billing_estimate_ratio{", StringComparison.Ordinal));
        Assert.Contains("job=\"ue_reconcile\"", line, StringComparison.Ordinal);
        Assert.Contains("provider=\"anthropic\"", line, StringComparison.Ordinal);
        Assert.Equal(ratio, double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture), 12);
        Assert.Contains("ai_billing_token_coverage_ratio{", metrics, StringComparison.Ordinal);
        Assert.Contains("ai_billing_reconciled_until_timestamp_seconds{instance=\"\",job=\"ue_reconcile\",provider=\"anthropic\"} 1.7909856e+09", metrics, StringComparison.Ordinal); // 2026-10-03T00:00Z = 1,790,985,600
    }

    [Fact]
    public async Task A_malformed_bill_file_is_one_line_naming_file_and_page()
    {
        var costs = Path.Combine(this.dir, "costs.json");
        await File.WriteAllTextAsync(costs, """[{"object":"page","data":[],"has_more":false},{"object":"page","data":"oops","has_more":false}]""");
        var (code, output) = await Ue("reconcile", "--prometheus", "http://127.0.0.1:9/", "--openai-costs", costs, "--openai-usage", costs);
        Assert.Equal(1, code);
        Assert.Equal($"ue: openai costs {costs} page 2: expected 'data' to be an array, found a string", output.Trim());
    }

    [Fact]
    public async Task A_key_variable_that_is_not_set_is_one_line()
    {
        var (code, output) = await Ue("reconcile", "--prometheus", "http://127.0.0.1:9/", "--openai-admin-key-env", "UE_TEST_NO_SUCH_VARIABLE");
        Assert.Equal(1, code);
        Assert.Equal("ue: openai: the environment variable UE_TEST_NO_SUCH_VARIABLE holding the admin key is not set", output.Trim());
    }

    [Fact]
    public async Task A_refused_key_is_one_line_and_the_key_is_nowhere_in_the_output()
    {
        const string key = "sk-admin-wrong-0f1e2d3c4b5a";
        await using var api = new LoopbackAdminApi(_ => false);
        var (code, output) = await Ue(["reconcile", "--prometheus", "http://127.0.0.1:9/", "--openai-base-url", api.Url.ToString(), "--openai-admin-key-env", "UE_TEST_OPENAI_KEY"],
            new Dictionary<string, string> { ["UE_TEST_OPENAI_KEY"] = key });
        Assert.Equal(1, code);
        Assert.Equal($"ue: openai costs page 1 (127.0.0.1:{api.Port}): the admin key in $UE_TEST_OPENAI_KEY was refused (401 Unauthorized); it needs to be an organization admin key", output.Trim());
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        Assert.Single(api.Requests); // the refusal is final, not retried
    }

    [Fact]
    public async Task A_live_bill_is_followed_through_every_page_from_the_command_line()
    {
        const string key = "sk-admin-right-9a8b7c6d5e4f";
        await using var api = new LoopbackAdminApi(r => r.Headers["Authorization"] == "Bearer " + key);
        var day = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        api.Serve(OpenAiAdminApi.Api.Costs.Path, [.. OpenAiAdminApi.Api.Costs.WritePages(
            Enumerable.Range(0, 3).Select(d => new Books.ProviderBills.BilledCost(day.AddDays(d), "gpt-4.1-nano", 0.125m, "gpt-4.1-nano, input")), bucketsPerPage: 1)]);
        api.Serve(OpenAiAdminApi.Api.Usage.Path, [.. OpenAiAdminApi.Api.Usage.WritePages([], bucketsPerPage: 1)]);
        var (code, output) = await Ue(["reconcile", "--demo", "--days", "3", "--format", "json", "--openai-base-url", api.Url.ToString(), "--openai-admin-key-env", "UE_TEST_OPENAI_KEY"],
            new Dictionary<string, string> { ["UE_TEST_OPENAI_KEY"] = key });
        Assert.True(code == 0, output);
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(0.375m, doc.RootElement.GetProperty("providers")[0].GetProperty("billed_usd").GetDecimal()); // 3 pages × $0.125
        Assert.Equal(4, api.Requests.Count); // 3 cost pages + 1 usage page
    }

    [Theory]
    [InlineData("--prometheus", "reconcile", "--openai-costs", "a.json", "--openai-usage", "b.json")] // no estimate source given twice: neither
    [InlineData("--demo", "reconcile", "--demo", "--prometheus", "http://127.0.0.1:9/", "--openai-costs", "a", "--openai-usage", "b")]
    [InlineData("--openai-usage", "reconcile", "--demo", "--openai-costs", "a.json")]
    [InlineData("--tolerance", "reconcile", "--demo", "--tolerance", "200%")]
    [InlineData("--openai-admin-key-env", "reconcile", "--demo", "--openai-base-url", "http://127.0.0.1:9/")]
    [InlineData("needs a bill", "reconcile", "--demo")]
    public async Task Usage_errors_exit_2_naming_the_option(string named, params string[] args)
    {
        var (code, output) = await Ue(args);
        Assert.Equal(2, code);
        Assert.Contains(named, output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\n\s+at \S+\(", output);
    }

    private string Bill(string name) => Path.Combine(this.dir, name + ".json");

    private static Task<(int, string)> Ue(params string[] args) => Ue(args, null);

    private static Task<(int, string)> Ue(string[] args, IDictionary<string, string>? environment) =>
        ManagedProcess.RunAsync("dotnet", [RepoPaths.UeAssembly, .. args], timeout: TimeSpan.FromMinutes(3), environment: environment);
}
