namespace UnitEconomics.Otel.Spans;

/// <summary>Which attributes carry tenant, use case and cache hits, and the caps on label values.</summary>
/// <remarks>
/// The key lists start empty and fall back to the defaults when left empty: configuration binding
/// appends to a list rather than replacing it, so a default written into the list could never be
/// replaced from appsettings.
/// </remarks>
public sealed class SpanReadingOptions
{
    public static readonly IReadOnlyList<string> DefaultTenantKeys = [GenAiAttributes.UnitEconomics.TenantId];
    public static readonly IReadOnlyList<string> DefaultUseCaseKeys = [GenAiAttributes.UnitEconomics.UseCase];
    public static readonly IReadOnlyList<string> DefaultCacheHitKeys = [GenAiAttributes.UnitEconomics.CacheHit];

    /// <summary>Keys read, in order, from the span, then baggage, then the resource. Default: <c>tenant.id</c>.</summary>
    public IList<string> TenantKeys { get; set; } = [];

    /// <summary>Keys read, in order, from the span, then baggage. Default: <c>ai.use_case</c>.</summary>
    public IList<string> UseCaseKeys { get; set; } = [];

    /// <summary>Boolean keys that mark a semantic-cache hit. Default: <c>ai.cache.hit</c>.</summary>
    public IList<string> CacheHitKeys { get; set; } = [];

    /// <summary>Longer label values are cut to this many characters.</summary>
    public int MaxLabelLength { get; set; } = 128;

    public IReadOnlyList<string> EffectiveTenantKeys => this.TenantKeys.Count > 0 ? [.. this.TenantKeys] : DefaultTenantKeys;

    public IReadOnlyList<string> EffectiveUseCaseKeys => this.UseCaseKeys.Count > 0 ? [.. this.UseCaseKeys] : DefaultUseCaseKeys;

    public IReadOnlyList<string> EffectiveCacheHitKeys => this.CacheHitKeys.Count > 0 ? [.. this.CacheHitKeys] : DefaultCacheHitKeys;
}
