namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// Aggregated usage of one model, as the report's rollups and the demo's provider ledger hold it: calls and
/// disjoint token counts (DESIGN §3: <see cref="UncachedInput"/> excludes cache reads and writes,
/// <see cref="Output"/> excludes reasoning), the way the report's token columns count them.
/// </summary>
/// <param name="Batch">Billed through the provider's batch API (priced at the entry's batch prices).</param>
internal readonly record struct ModelUsage(
    string Provider,
    string Model,
    long Calls,
    long UncachedInput,
    long CacheRead,
    long CacheWrite,
    long Output,
    long Reasoning,
    bool Batch = false)
{
    /// <summary>The usage of a rollup's totals, with <paramref name="reasoning"/> instead of theirs when given (a what-if's assumption).</summary>
    public static ModelUsage Of(string provider, string model, UsageTotals totals, long? reasoning = null) =>
        new(provider, model, totals.Calls, totals.InputTokens, totals.CacheReadTokens, totals.CacheWriteTokens, totals.OutputTokens, reasoning ?? totals.ReasoningTokens);

    /// <summary>The same usage had no prompt cache been read: the cache-read tokens billed as uncached input.</summary>
    /// <remarks>Every call keeps its size, so the context tier a call falls in does not change.</remarks>
    public ModelUsage WithoutCacheReads() => this with { UncachedInput = this.UncachedInput + this.CacheRead, CacheRead = 0 };
}
