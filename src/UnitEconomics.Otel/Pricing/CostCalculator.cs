using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Pricing;

/// <summary>Turns a normalized call and its catalog entry into money, in <see cref="decimal"/>.</summary>
public static class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;

    /// <summary>
    /// Prices <paramref name="call"/>. With no <paramref name="price"/> the result is unpriced unless the
    /// span carried a reported cost, which is then the total (source <c>reported</c>).
    /// </summary>
    public static CostBreakdown Calculate(in GenAiCall call, ModelPrice? price)
    {
        if (price is null)
        {
            return call.HasReportedCost
                ? new CostBreakdown(0, 0, 0, 0, 0, 0, call.ReportedCost, CostSource.Reported)
                : CostBreakdown.Unpriced;
        }

        var parts = call.Parts;
        var prices = price.PricesFor(parts.AllInput, call.IsBatch);
        var input = prices.Input ?? 0m;
        var output = prices.Output ?? 0m;
        var uncached = parts.UncachedInput * input / PerMillion;
        var cacheRead = parts.CacheRead * (prices.CachedInput ?? input) / PerMillion;
        var cacheWrite = parts.CacheWrite * (prices.CacheWrite ?? input) / PerMillion;
        var plainOutput = parts.Output * output / PerMillion;
        var reasoning = parts.Reasoning * (prices.Reasoning ?? output) / PerMillion;
        var perCall = prices.PerCall ?? 0m;
        var estimated = uncached + cacheRead + cacheWrite + plainOutput + reasoning + perCall;
        return call.HasReportedCost
            ? new CostBreakdown(uncached, cacheRead, cacheWrite, plainOutput, reasoning, perCall, call.ReportedCost, CostSource.Reported)
            : new CostBreakdown(uncached, cacheRead, cacheWrite, plainOutput, reasoning, perCall, estimated, CostSource.Estimated);
    }
}
