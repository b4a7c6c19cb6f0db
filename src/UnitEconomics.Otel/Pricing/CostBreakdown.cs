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

/// <summary>A call's cost in USD, by part. Parts are the estimate; <see cref="Total"/> is the reported cost when there is one.</summary>
public readonly record struct CostBreakdown(
    decimal UncachedInput,
    decimal CacheRead,
    decimal CacheWrite,
    decimal Output,
    decimal Reasoning,
    decimal PerCall,
    decimal Total,
    CostSource Source)
{
    public static CostBreakdown Unpriced => default;

    public bool IsPriced => this.Source != CostSource.Unpriced;

    public decimal EstimatedTotal => this.UncachedInput + this.CacheRead + this.CacheWrite + this.Output + this.Reasoning + this.PerCall;

    public static string SourceLabel(CostSource source) => source switch
    {
        CostSource.Estimated => "estimated",
        CostSource.Reported => "reported",
        _ => "unpriced",
    };
}
