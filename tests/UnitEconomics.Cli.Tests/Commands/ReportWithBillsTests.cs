using System.Globalization;
using System.Text;
using System.Text.Json;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests.Commands;

/// <summary>
/// <c>ue report --prometheus ... --anthropic-costs ...</c> against a real Prometheus holding known
/// counters for a past day (backfilled): the report ends with the reconciliation of that day, with the
/// figures worked out by hand.
/// </summary>
public sealed class ReportWithBillsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("ue-report-bills-").FullName;

    public void Dispose() => Directory.Delete(this.dir, recursive: true);

    [SkippableFact]
    public async Task The_report_reconciles_its_whole_days_against_the_bills()
    {
        var day = DateTime.UtcNow.Date.AddDays(-3);
        var end = day.AddDays(1);

        // claude-haiku-4-5 ($1/M input, $5/M output): 2,000,000 input + 100,000 output = $2.00 + $0.50 = $2.50, traced in full.
        // claude-sonnet-4-5 ($3/M input, $15/M output): 100,000 input + 10,000 output = $0.30 + $0.15 = $0.45 estimated.
        var backfill = new StringBuilder();
        Counter(backfill, "ai_cost_usd", day, end, [("claude-haiku-4-5", "", 2.5), ("claude-sonnet-4-5", "", 0.45)]);
        Counter(backfill, "ai_tokens", day, end, [("claude-haiku-4-5", "input", 2_000_000), ("claude-haiku-4-5", "output", 100_000),
            ("claude-sonnet-4-5", "input", 100_000), ("claude-sonnet-4-5", "output", 10_000)]);
        backfill.Append("# EOF\n");
        await using var prometheus = await PrometheusServer.StartNewAsync("global:\n  scrape_interval: 15s\n", openMetricsBackfill: backfill.ToString());

        // The bill: haiku as traced, under its dated name; sonnet's same tokens billed $0.54 (the price went up 20%).
        var costs = Path.Combine(this.dir, "costs.json");
        var usage = Path.Combine(this.dir, "usage.json");
        var api = AnthropicAdminApi.Api;
        await File.WriteAllTextAsync(costs, "[" + string.Join(",", api.Costs.WritePages(
        [
            new BilledCost(day, "claude-haiku-4-5-20251001", 2.50m, "Claude Haiku 4.5 Usage"),
            new BilledCost(day, "claude-sonnet-4-5-20250929", 0.54m, "Claude Sonnet 4.5 Usage"),
        ])) + "]");
        await File.WriteAllTextAsync(usage, "[" + string.Join(",", api.Usage.WritePages(
        [
            new BilledUsage(day, "claude-haiku-4-5-20251001", new TokenCounts(2_000_000, 0, 0, 100_000), 40),
            new BilledUsage(day, "claude-sonnet-4-5-20250929", new TokenCounts(100_000, 0, 0, 10_000), 4),
        ])) + "]");

        var (code, output) = await ManagedProcess.RunAsync("dotnet",
            [RepoPaths.UeAssembly, "report", "--prometheus", prometheus.Url.ToString(), "--from", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
             "--to", end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--tenants", RepoPaths.Combine("deploy", "tenants.example.yaml"),
             "--anthropic-costs", costs, "--anthropic-usage", usage, "--format", "json"],
            timeout: TimeSpan.FromMinutes(3));
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(output);
        var reconciliation = doc.RootElement.GetProperty("reconciliation");
        var provider = reconciliation.GetProperty("providers").EnumerateArray().Single();
        Assert.Equal(3.04m, provider.GetProperty("billed_usd").GetDecimal());                 // 2.50 + 0.54
        Assert.Equal(2.95, (double)provider.GetProperty("estimated_usd").GetDecimal(), 9);     // 2.50 + 0.45
        Assert.Equal(2.95 / 3.04, provider.GetProperty("estimate_ratio").GetDouble(), 9);
        var rows = reconciliation.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("model").GetString(), r.GetProperty("verdict").GetString())).ToArray();
        Assert.Equal([("claude-haiku-4-5", "matched"), ("claude-sonnet-4-5", "price_drift")], rows);
    }

    /// <summary>A counter family for provider anthropic: 0 at <paramref name="from"/>, its value a minute before <paramref name="to"/> (within the lookback at <paramref name="to"/>).</summary>
    private static void Counter(StringBuilder text, string family, DateTime from, DateTime to, (string Model, string TokenType, double Value)[] series)
    {
        text.Append("# TYPE ").Append(family).Append(" counter\n");
        foreach (var at in new[] { (Time: from, Final: false), (Time: to.AddMinutes(-1), Final: true) })
        {
            foreach (var (model, tokenType, value) in series)
            {
                var labels = $"provider=\"anthropic\",model=\"{model}\",use_case=\"generation\",tier=\"pro\"" + (tokenType.Length > 0 ? $",token_type=\"{tokenType}\"" : ",operation=\"chat\"");
                text.Append(CultureInfo.InvariantCulture, $"{family}_total{{{labels}}} {(at.Final ? value : 0)} {new DateTimeOffset(at.Time, TimeSpan.Zero).ToUnixTimeSeconds()}\n");
            }
        }
    }
}
