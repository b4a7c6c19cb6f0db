using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// Prices aggregated usage (a model's calls and tokens over a window, a day of a provider's ledger) the
/// way the engine prices a span: by building calls and asking <see cref="CallPricer.Price"/>, so the report's
/// what-ifs and the demo's bills follow the engine's rules (name resolution, price history, context tiers,
/// batch prices, the cached-input/cache-write/reasoning price fallbacks) instead of multiplying prices here.
/// </summary>
/// <remarks>
/// <para>
/// The approximation, exactly: an aggregate does not say how big each of its calls was, and a context tier
/// prices a whole call by that call's own input size. So the usage is split into <c>Calls</c> calls of the
/// mean size, each token type's total spread as evenly as integers allow: with <c>T = q × Calls + r</c>,
/// r calls carry q + 1 tokens of that type and the others q. Call <c>i</c> (0-based) carries the extra token
/// of every type whose r is above <c>i</c>, so there are at most six distinct call shapes (five token types,
/// sorted by their r); each shape is priced once and multiplied by how many calls have it. The token totals
/// are kept exactly; within one tier the money is exactly what pricing every token of the total at that
/// tier's prices gives. What it cannot see is a mix of sizes: a window of mostly small calls with a few above
/// a tier threshold is priced as if every call were of the mean size (all below or all above the threshold).
/// </para>
/// <para>
/// Usage with tokens but no call (a counter window that caught tokens and not the call) is priced as one call.
/// Negative counts (a counter reset inside a window) are taken as zero.
/// </para>
/// </remarks>
internal static class UsagePricing
{
    /// <summary>Token types in the order <see cref="Shape"/> indexes them.</summary>
    private const int Types = 5;

    /// <summary>
    /// What <paramref name="usage"/> costs at the prices in force at <paramref name="atUtc"/>; null when no
    /// catalog entry answers to the model (unpriced: its cost is unknown, never zero).
    /// </summary>
    public static PricedUsage? Price(PriceCatalog catalog, in ModelUsage usage, DateTime atUtc)
    {
        Span<long> totals =
        [
            Math.Max(usage.UncachedInput, 0), Math.Max(usage.CacheRead, 0), Math.Max(usage.CacheWrite, 0),
            Math.Max(usage.Output, 0), Math.Max(usage.Reasoning, 0),
        ];
        var hasTokens = totals.ContainsAnyExcept(0L);
        var calls = usage.Calls > 0 ? usage.Calls : hasTokens ? 1 : 0;
        if (calls == 0)
        {
            // Nothing used: zero, but only for a model the catalog prices (asked with an empty call).
            return CallPricer.Price(catalog, Call(usage, default, atUtc)).IsPriced ? PricedUsage.Zero : null;
        }

        Span<long> mean = stackalloc long[Types];
        Span<long> extra = stackalloc long[Types];
        for (var t = 0; t < Types; t++)
        {
            mean[t] = Math.DivRem(totals[t], calls, out extra[t]);
        }

        // Calls [from, to) share one shape: the bounds are the distinct remainders, then the call count.
        var bounds = new SortedSet<long>(extra.ToArray()) { calls };
        bounds.Remove(0);
        var priced = PricedUsage.Zero;
        long from = 0;
        foreach (var to in bounds)
        {
            var shape = new Shape(
                mean[0] + (from < extra[0] ? 1 : 0),
                mean[1] + (from < extra[1] ? 1 : 0),
                mean[2] + (from < extra[2] ? 1 : 0),
                mean[3] + (from < extra[3] ? 1 : 0),
                mean[4] + (from < extra[4] ? 1 : 0));
            var cost = CallPricer.Price(catalog, Call(usage, shape, atUtc));
            if (!cost.IsPriced)
            {
                return null; // every shape resolves the same entry: one unpriced means all are
            }

            priced = priced.Plus(Of(cost).Times(to - from));
            from = to;
        }

        return priced;
    }

    /// <summary>One call's disjoint token counts.</summary>
    private readonly record struct Shape(long UncachedInput, long CacheRead, long CacheWrite, long Output, long Reasoning);

    /// <summary>
    /// A call as the span normalizer would have read it: the conventions count cache reads and writes inside
    /// input and reasoning inside output, which <see cref="GenAiCall.Parts"/> splits back into the shape.
    /// </summary>
    private static GenAiCall Call(in ModelUsage usage, Shape shape, DateTime atUtc) => new()
    {
        Operation = GenAiAttributes.Operations.Chat,
        Kind = OperationKind.Inference,
        Provider = usage.Provider,
        Model = usage.Model,
        HasTokens = true,
        InputTokens = shape.UncachedInput + shape.CacheRead + shape.CacheWrite,
        CacheReadTokens = shape.CacheRead,
        CacheWriteTokens = shape.CacheWrite,
        OutputTokens = shape.Output + shape.Reasoning,
        ReasoningTokens = shape.Reasoning,
        IsBatch = usage.Batch,
        Tenant = SpanNormalizer.Unknown,
        UseCase = SpanNormalizer.Unknown,
        StartTimeUtc = atUtc,
        EndTimeUtc = atUtc, // the price in force when the call ended: price history
    };

    private static PricedUsage Of(in CostBreakdown cost) =>
        new(cost.UncachedInput, cost.CacheRead, cost.CacheWrite, cost.Output, cost.Reasoning, cost.PerCall, cost.Total);
}
