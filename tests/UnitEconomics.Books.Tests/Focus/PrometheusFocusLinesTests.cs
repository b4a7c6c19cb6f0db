using UnitEconomics.Books.Focus.Export;
using Xunit;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>
/// How the live export cuts counters into days, with the answers Prometheus would give at each boundary
/// scripted here: per-day differences, windows clipped, resets counted from zero, doubles' noise removed.
/// </summary>
public sealed class PrometheusFocusLinesTests
{
    private static readonly DateTime From = new(2026, 10, 1, 18, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Midnight1 = new(2026, 10, 2, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Midnight2 = new(2026, 10, 3, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 10, 3, 6, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Days_are_differences_at_the_boundaries_clipped_to_the_window()
    {
        // ai_cost_usd_total for one series at: from 1.0, midnight 1.25 (+0.25), midnight 1.1 (a restart: 1.1 since it), to 1.3 (+0.2).
        // 0.1 + 0.2 as a double is 0.30000000000000004: rounding to the pico-dollar gives back 0.3.
        var cost = new Dictionary<DateTime, double> { [From] = 1.0, [Midnight1] = 1.25, [Midnight2] = 1.1, [To] = 0.1 + 0.2 + 1.0 };
        var lines = await new PrometheusFocusLines(Script(cost)).LoadAsync(From, To);

        Assert.Equal(
            [(From, Midnight1, 0.25m), (Midnight1, Midnight2, 1.1m), (Midnight2, To, 0.2m)],
            lines.Select(l => (l.ChargeStartUtc, l.ChargeEndUtc, l.Cost)));
        Assert.All(lines, l => Assert.Equal(("openai", "gpt-4o", "support", "pro"), (l.Provider, l.Model, l.UseCase, l.Tier)));

        // Two tenants on pro spent on the first day, one (acme) on the others: only those days name it.
        Assert.Equal([null, "acme", "acme"], lines.Select(l => l.Tenant));
        Assert.Equal([3L, 3L, 3L], lines.Select(l => l.Requests));
        Assert.Equal([300L, 300L, 300L], lines.Select(l => l.Tokens.Input));
    }

    [Fact]
    public async Task A_window_inside_one_day_is_one_row_and_sums_to_the_counters()
    {
        var end = From.AddHours(1);
        var cost = new Dictionary<DateTime, double> { [From] = 0.7, [end] = 0.7 + 0.0036 };
        var lines = await new PrometheusFocusLines(Script(cost)).LoadAsync(From, end);
        var line = Assert.Single(lines);
        Assert.Equal((From, end, 0.0036m), (line.ChargeStartUtc, line.ChargeEndUtc, line.Cost));
    }

    /// <summary>
    /// Answers each query at a boundary: the cost series from <paramref name="cost"/>; requests and input
    /// tokens growing by 3 and 300 a day; tenant cost growing for acme every day and for initech on the first.
    /// </summary>
    private static PromQuery Script(Dictionary<DateTime, double> cost) => (promql, at, _) =>
    {
        var step = cost.Keys.Order().ToList().IndexOf(at);
        Assert.True(step >= 0, $"queried at {at:O}, not a boundary");
        var series = new Dictionary<string, string> { ["provider"] = "openai", ["model"] = "gpt-4o", ["use_case"] = "support", ["tier"] = "pro" };
        IReadOnlyList<(IReadOnlyDictionary<string, string>, double)> answer = promql switch
        {
            _ when promql.Contains("ai_cost_usd_total", StringComparison.Ordinal) => [(series, cost[at])],
            _ when promql.Contains("ai_requests_total", StringComparison.Ordinal) => [(series, 3.0 * step)],
            _ when promql.Contains("ai_tokens_total", StringComparison.Ordinal) => [(new Dictionary<string, string>(series) { ["token_type"] = "input" }, 300.0 * step)],
            _ when promql.Contains("ai_tenant_cost_usd_total", StringComparison.Ordinal) =>
                [(new Dictionary<string, string> { ["tenant"] = "acme", ["tier"] = "pro" }, 1.0 * step), (new Dictionary<string, string> { ["tenant"] = "initech", ["tier"] = "pro" }, step == 0 ? 0 : 0.5)],
            _ => throw new InvalidOperationException("unexpected query " + promql),
        };
        return Task.FromResult(answer);
    };
}
