using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Pricing;

/// <summary>Turns a normalized call and its catalog entry into money, in <see cref="decimal"/>.</summary>
public static class CostCalculator
{

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
        var uncached = PerMillion(parts.UncachedInput, input);
        var cacheRead = PerMillion(parts.CacheRead, prices.CachedInput ?? input);
        var cacheWrite = PerMillion(parts.CacheWrite, prices.CacheWrite ?? input);
        var plainOutput = PerMillion(parts.Output, output);
        var reasoning = PerMillion(parts.Reasoning, prices.Reasoning ?? output);
        var perCall = prices.PerCall ?? 0m;
        var estimated = uncached + cacheRead + cacheWrite + plainOutput + reasoning + perCall;
        return call.HasReportedCost
            ? new CostBreakdown(uncached, cacheRead, cacheWrite, plainOutput, reasoning, perCall, call.ReportedCost, CostSource.Reported)
            : new CostBreakdown(uncached, cacheRead, cacheWrite, plainOutput, reasoning, perCall, estimated, CostSource.Estimated);
    }

    /// <summary>
    /// <paramref name="tokens"/> × <paramref name="pricePerMillion"/> / 1,000,000, exactly. Dividing a
    /// decimal by a power of ten only raises its scale, so the division is done that way rather than by
    /// decimal division, which is several times slower on this per-span path.
    /// </summary>
    public static decimal PerMillion(long tokens, decimal pricePerMillion)
    {
        if (tokens == 0 || pricePerMillion == 0)
        {
            return 0m;
        }

        var product = tokens * pricePerMillion;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(product, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        return scale + 6 <= 28
            ? new decimal(bits[0], bits[1], bits[2], bits[3] < 0, (byte)(scale + 6))
            : product / 1_000_000m;
    }
}
