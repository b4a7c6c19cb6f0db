using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Cli.Reporting;

namespace UnitEconomics.Cli.Reconciliation;

/// <summary>
/// Where the estimate side of a reconciliation comes from: the engine's counters in a live Prometheus,
/// or the demo's in-process rollup. Both give the cost and the tokens per provider, model and UTC day, in
/// the bill's token types: uncached input, cache read, cache write, and output with reasoning (no
/// provider bills reasoning apart from output).
/// </summary>
public static class EstimateSources
{
    /// <summary>
    /// The exact counter deltas of <c>ai_cost_usd_total</c> and <c>ai_tokens_total</c> per provider and
    /// model over each UTC day of [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), computed as
    /// <c>report --prometheus</c> computes its figures (value at the day's end minus value at its start);
    /// a day not over yet is taken up to <paramref name="nowUtc"/>.
    /// </summary>
    public static async Task<List<EstimatedUsage>> FromPrometheusAsync(PrometheusReportSource prometheus, DateTime fromUtc, DateTime toUtc, DateTime nowUtc, CancellationToken cancel = default)
    {
        var estimates = new List<EstimatedUsage>();
        for (var day = fromUtc.Date; day < toUtc && day < nowUtc; day = day.AddDays(1))
        {
            var end = day.AddDays(1) < nowUtc ? day.AddDays(1) : nowUtc;
            var seconds = (long)Math.Ceiling((end - day).TotalSeconds);
            var byModel = new Dictionary<(string Provider, string Model), (decimal Cost, TokenCounts Tokens)>();
            foreach (var (labels, value) in await prometheus.DeltaAsync("ai_cost_usd_total", "provider, model", seconds, end, cancel))
            {
                var key = (labels.GetValueOrDefault("provider") ?? string.Empty, labels.GetValueOrDefault("model") ?? string.Empty);
                byModel[key] = (byModel.GetValueOrDefault(key).Cost + (decimal)value, byModel.GetValueOrDefault(key).Tokens);
            }

            foreach (var (labels, value) in await prometheus.DeltaAsync("ai_tokens_total", "provider, model, token_type", seconds, end, cancel))
            {
                var key = (labels.GetValueOrDefault("provider") ?? string.Empty, labels.GetValueOrDefault("model") ?? string.Empty);
                var n = (long)Math.Round(value);
                var tokens = labels.GetValueOrDefault("token_type") switch
                {
                    "input" => new TokenCounts(n, 0, 0, 0),
                    "cache_read" => new TokenCounts(0, n, 0, 0),
                    "cache_write" => new TokenCounts(0, 0, n, 0),
                    "output" or "reasoning" => new TokenCounts(0, 0, 0, n),
                    _ => default,
                };
                byModel[key] = (byModel.GetValueOrDefault(key).Cost, byModel.GetValueOrDefault(key).Tokens + tokens);
            }

            estimates.AddRange(byModel.Where(kv => kv.Value.Cost != 0 || !kv.Value.Tokens.IsZero)
                .Select(kv => new EstimatedUsage(kv.Key.Provider, day, kv.Key.Model, kv.Value.Cost, kv.Value.Tokens)));
        }

        return estimates;
    }

    /// <summary>The demo's rollup per UTC day, provider and model.</summary>
    public static List<EstimatedUsage> FromRollup(CostRollup rollup) =>
        rollup.Read(r => r.ModelDays
            .Where(kv => kv.Value.Cost != 0 || kv.Value.AllInputTokens + kv.Value.OutputTokens + kv.Value.ReasoningTokens != 0)
            .Select(kv => new EstimatedUsage(kv.Key.Provider, kv.Key.Day, kv.Key.Model, kv.Value.Cost,
                new TokenCounts(kv.Value.InputTokens, kv.Value.CacheReadTokens, kv.Value.CacheWriteTokens, kv.Value.OutputTokens + kv.Value.ReasoningTokens)))
            .OrderBy(e => e.Day).ThenBy(e => e.Provider, StringComparer.Ordinal).ThenBy(e => e.Model, StringComparer.Ordinal)
            .ToList());
}
