namespace UnitEconomics.Otel.Spans;

/// <summary>Which attributes carry tenant, use case and cache hits, and the caps on label values.</summary>
public sealed class SpanReadingOptions
{
    /// <summary>Keys read, in order, from the span, then baggage, then the resource.</summary>
    public IList<string> TenantKeys { get; set; } = [GenAiAttributes.UnitEconomics.TenantId];

    /// <summary>Keys read, in order, from the span, then baggage.</summary>
    public IList<string> UseCaseKeys { get; set; } = [GenAiAttributes.UnitEconomics.UseCase];

    public IList<string> CacheHitKeys { get; set; } = [GenAiAttributes.UnitEconomics.CacheHit];

    /// <summary>Longer label values are cut to this many characters.</summary>
    public int MaxLabelLength { get; set; } = 128;
}
