using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Pricing;

/// <summary>Where a call's cost came from.</summary>
public enum CostSource : byte
{
    /// <summary>No price for the model and no reported cost: not a zero, an unknown.</summary>
    Unpriced,
    /// <summary>Tokens times catalog prices.</summary>
    Estimated,
    /// <summary>The provider-reported cost on the span.</summary>
    Reported,
}

/// <summary>
/// A call's cost in USD. <see cref="Total"/> is computed when the call is priced (the reported cost
/// when there is one); the parts of the estimate are derived from the prices and token counts only when
/// asked for, since the per-span path needs the total alone.
/// </summary>
public readonly struct CostBreakdown
{
    private readonly PriceSet? prices;
    private readonly TokenParts tokens;

    public CostBreakdown(PriceSet? prices, in TokenParts tokens, decimal total, CostSource source)
        : this(prices, tokens, total, FixedPointPrices.ToPico(total), source)
    {
    }

    internal CostBreakdown(PriceSet? prices, in TokenParts tokens, decimal total, long totalPicoUsd, CostSource source)
    {
        this.prices = prices;
        this.tokens = tokens;
        this.Total = total;
        this.TotalPicoUsd = totalPicoUsd;
        this.Source = source;
    }

    public static CostBreakdown Unpriced => default;

    /// <summary>A call that cost nothing (a semantic-cache hit that called no model).</summary>
    public static CostBreakdown Free => new(null, default, 0m, CostSource.Estimated);

    public decimal Total { get; }

    /// <summary>
    /// <see cref="Total"/> in pico-USD (10⁻¹² USD, rounded): what metric sinks add up, as integers, so
    /// counters neither drift with floating-point sums nor pay for decimal arithmetic per call.
    /// </summary>
    internal long TotalPicoUsd { get; }

    public CostSource Source { get; }

    public bool IsPriced => this.Source != CostSource.Unpriced;

    public decimal UncachedInput => CostCalculator.PerMillion(this.tokens.UncachedInput, this.Input);

    public decimal CacheRead => CostCalculator.PerMillion(this.tokens.CacheRead, this.prices?.CachedInput ?? this.Input);

    public decimal CacheWrite => CostCalculator.PerMillion(this.tokens.CacheWrite, this.prices?.CacheWrite ?? this.Input);

    public decimal Output => CostCalculator.PerMillion(this.tokens.Output, this.OutputPrice);

    public decimal Reasoning => CostCalculator.PerMillion(this.tokens.Reasoning, this.prices?.Reasoning ?? this.OutputPrice);

    public decimal PerCall => this.prices?.PerCall ?? 0m;

    /// <summary>Tokens times prices, whether or not a reported cost replaced it as the total.</summary>
    public decimal EstimatedTotal => this.UncachedInput + this.CacheRead + this.CacheWrite + this.Output + this.Reasoning + this.PerCall;

    private decimal Input => this.prices?.Input ?? 0m;

    private decimal OutputPrice => this.prices?.Output ?? 0m;

    public static string SourceLabel(CostSource source) => source switch
    {
        CostSource.Estimated => "estimated",
        CostSource.Reported => "reported",
        _ => "unpriced",
    };
}
