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
            return call.HasReportedCost ? new CostBreakdown(null, default, call.ReportedCost, CostSource.Reported) : CostBreakdown.Unpriced;
        }

        var parts = call.Parts;
        var prices = price.PricesFor(parts.AllInput, call.IsBatch);
        if (call.HasReportedCost)
        {
            return new CostBreakdown(prices, parts, call.ReportedCost, CostSource.Reported);
        }

        // Integers first: the same decimal as the arithmetic below, several times faster.
        var fixedPoint = prices.FixedPoint;
        if (fixedPoint.Usable && fixedPoint.TryPrice(parts, out var total, out var pico))
        {
            if (fixedPoint.PerCall is { } perCall)
            {
                total += perCall;
                pico = FixedPointPrices.ToPico(total);
            }

            return new CostBreakdown(prices, parts, total, pico, CostSource.Estimated);
        }

        return new CostBreakdown(prices, parts, DecimalTotal(parts, prices), CostSource.Estimated);
    }

    /// <summary>Σ tokens × USD-per-million, scaled down by a million once at the end.</summary>
    internal static decimal DecimalTotal(in TokenParts parts, PriceSet prices)
    {
        var input = prices.Input ?? 0m;
        var output = prices.Output ?? 0m;
        // Zero parts are common (no cache write, no reasoning): skip them rather than add decimal zeros.
        var sum = 0m;
        if (parts.UncachedInput != 0)
        {
            sum = parts.UncachedInput * input;
        }

        if (parts.CacheRead != 0)
        {
            sum += parts.CacheRead * (prices.CachedInput ?? input);
        }

        if (parts.CacheWrite != 0)
        {
            sum += parts.CacheWrite * (prices.CacheWrite ?? input);
        }

        if (parts.Output != 0)
        {
            sum += parts.Output * output;
        }

        if (parts.Reasoning != 0)
        {
            sum += parts.Reasoning * (prices.Reasoning ?? output);
        }

        return ScaleDownMillion(sum) + (prices.PerCall ?? 0m);
    }

    /// <summary><paramref name="tokens"/> × <paramref name="pricePerMillion"/> / 1,000,000, exactly.</summary>
    public static decimal PerMillion(long tokens, decimal pricePerMillion) => ScaleDownMillion(Times(tokens, pricePerMillion));

    private static decimal Times(long tokens, decimal price) => tokens == 0 || price == 0 ? 0m : tokens * price;

    /// <summary>
    /// Divides by 1,000,000 exactly. Dividing a decimal by a power of ten only raises its scale, so it is
    /// done that way rather than by decimal division, which is several times slower on this per-span path.
    /// </summary>
    private static decimal ScaleDownMillion(decimal value)
    {
        if (value == 0)
        {
            return 0m;
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        return scale + 6 <= 28
            ? new decimal(bits[0], bits[1], bits[2], bits[3] < 0, (byte)(scale + 6))
            : value / 1_000_000m;
    }
}
