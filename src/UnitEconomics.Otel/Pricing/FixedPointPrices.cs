namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// A <see cref="PriceSet"/>'s five token prices as integers at one decimal scale, so a call is priced
/// with integer multiply-adds instead of <see cref="decimal"/> arithmetic (which dominated the cost
/// calculation). The result is the very decimal the decimal arithmetic gives — same value and same
/// scale — or, when a price cannot be held this way, <see cref="Usable"/> is false and the caller
/// uses decimals.
/// </summary>
internal sealed class FixedPointPrices
{
    /// <summary>Prices with more decimals than this (per million tokens) take the decimal path.</summary>
    public const int MaxScale = 12;

    private static readonly ulong[] PowersOfTen = BuildPowers();

    // Index by part: 0 uncached input, 1 cache read, 2 cache write, 3 output, 4 reasoning.
    private readonly ulong[] mantissas = new ulong[5];
    private readonly byte[] scales = new byte[5];
    private readonly byte scale;

    private FixedPointPrices(PriceSet prices)
    {
        var input = prices.Input ?? 0m;
        var output = prices.Output ?? 0m;
        Span<decimal> values = [input, prices.CachedInput ?? input, prices.CacheWrite ?? input, output, prices.Reasoning ?? output];
        var usable = true;
        for (var i = 0; i < values.Length; i++)
        {
            usable &= TrySplit(values[i], out this.mantissas[i], out this.scales[i]);
            this.scale = Math.Max(this.scale, this.scales[i]);
        }

        // Bring every mantissa to the common scale; a price above ~18,000 USD per million tokens at
        // scale 12 would not fit.
        usable &= this.scale <= MaxScale;
        for (var i = 0; usable && i < values.Length; i++)
        {
            var high = Math.BigMul(this.mantissas[i], PowersOfTen[this.scale - this.scales[i]], out this.mantissas[i]);
            usable &= high == 0;
        }

        this.Usable = usable;
        this.PerCall = prices.PerCall;
    }

    public bool Usable { get; }

    public decimal? PerCall { get; }

    public static FixedPointPrices From(PriceSet prices) => new(prices);

    /// <summary>
    /// Σ tokens × price / 1,000,000 for the five parts, as the decimal arithmetic would give it, and in
    /// pico-USD (10⁻¹² USD, rounded half away from zero) for counters. False on overflow.
    /// </summary>
    public bool TryPrice(in Spans.TokenParts parts, out decimal total, out long picoUsd)
    {
        ulong sum = 0;
        var resultScale = 0;
        if (!this.TryAdd(0, parts.UncachedInput, ref sum, ref resultScale)
            || !this.TryAdd(1, parts.CacheRead, ref sum, ref resultScale)
            || !this.TryAdd(2, parts.CacheWrite, ref sum, ref resultScale)
            || !this.TryAdd(3, parts.Output, ref sum, ref resultScale)
            || !this.TryAdd(4, parts.Reasoning, ref sum, ref resultScale))
        {
            total = 0m;
            picoUsd = 0;
            return false;
        }

        if (sum == 0)
        {
            // Decimal arithmetic gives a plain zero here too (its scale-down returns 0m for zero).
            total = 0m;
            picoUsd = 0;
            return true;
        }

        // The sum is at the common scale; decimal addition would have kept only the largest scale of
        // the prices actually used, so drop the extra (exact: those digits are zeros).
        if (resultScale != this.scale)
        {
            sum /= PowersOfTen[this.scale - resultScale]; // a 64-bit division: only when some digits are to drop
        }

        var totalScale = resultScale + 6;
        total = new decimal((int)sum, (int)(sum >> 32), 0, false, (byte)totalScale);
        picoUsd = ToPico(sum, totalScale);
        return true;
    }

    /// <summary><paramref name="value"/> in pico-USD, rounded half away from zero; saturates past ±9.2 million USD.</summary>
    public static long ToPico(decimal value)
    {
        const decimal Max = long.MaxValue / 1_000_000_000_000m;
        return value >= Max ? long.MaxValue
            : value <= -Max ? long.MinValue
            : (long)decimal.Round(value * 1_000_000_000_000m, MidpointRounding.AwayFromZero);
    }

    private static long ToPico(ulong mantissa, int scale)
    {
        if (scale <= MaxScale)
        {
            var high = Math.BigMul(mantissa, PowersOfTen[MaxScale - scale], out var low);
            return high == 0 && low <= long.MaxValue ? (long)low : long.MaxValue;
        }

        var divisor = PowersOfTen[scale - MaxScale];
        var quotient = mantissa / divisor;
        var remainder = mantissa - (quotient * divisor);
        return (long)Math.Min(quotient + (remainder * 2 >= divisor ? 1UL : 0UL), long.MaxValue);
    }

    private bool TryAdd(int part, long tokens, ref ulong sum, ref int resultScale)
    {
        if (tokens == 0)
        {
            return true;
        }

        var high = Math.BigMul((ulong)tokens, this.mantissas[part], out var low);
        var next = sum + low;
        if (high != 0 || next < sum || next > 0x7FFF_FFFF_FFFF_FFFF)
        {
            return false;
        }

        sum = next;
        resultScale = Math.Max(resultScale, this.scales[part]);
        return true;
    }

    private static bool TrySplit(decimal value, out ulong mantissa, out byte scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        scale = (byte)((bits[3] >> 16) & 0xFF);
        mantissa = (uint)bits[0] | ((ulong)(uint)bits[1] << 32);
        return bits[2] == 0 && bits[3] >= 0;
    }

    private static ulong[] BuildPowers()
    {
        var powers = new ulong[20];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
