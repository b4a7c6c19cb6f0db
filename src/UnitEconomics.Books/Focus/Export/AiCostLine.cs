namespace UnitEconomics.Books.Focus.Export;

/// <summary>Token counts by disjoint type (DESIGN §3): what a line of AI cost consumed.</summary>
public readonly record struct LineTokens(long Input, long CacheRead, long CacheWrite, long Output, long Reasoning)
{
    public long Total => this.Input + this.CacheRead + this.CacheWrite + this.Output + this.Reasoning;

    public static LineTokens operator +(LineTokens a, LineTokens b) =>
        new(a.Input + b.Input, a.CacheRead + b.CacheRead, a.CacheWrite + b.CacheWrite, a.Output + b.Output, a.Reasoning + b.Reasoning);
}

/// <summary>
/// AI spend of one charge period (a UTC day, clipped to the export window) for one provider, model, use
/// case and tier, and one tenant where the source knows it: one FOCUS row.
/// </summary>
/// <param name="ChargeStartUtc">Inclusive start of the charge period.</param>
/// <param name="ChargeEndUtc">Exclusive end of the charge period.</param>
/// <param name="Tenant">The tenant, or null where the source cannot attribute the line to one (see docs/focus.md).</param>
/// <param name="CostSource"><c>estimated</c> or <c>reported</c>; null where the source does not carry it (the metric contract has no such label).</param>
public sealed record AiCostLine(
    DateTime ChargeStartUtc,
    DateTime ChargeEndUtc,
    string? Tenant,
    string Tier,
    string Provider,
    string Model,
    string UseCase,
    string? CostSource,
    decimal Cost,
    long Requests,
    LineTokens Tokens);
