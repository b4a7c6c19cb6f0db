namespace UnitEconomics.Otel.Tenants;

/// <summary>Where a tenant's tier or revenue came from, as <see cref="TenantInfo.TierSource"/> and <see cref="TenantInfo.RevenueSource"/> say it.</summary>
public static class TenantFigureSources
{
    /// <summary>The tenant's own entry in the tenant file (its <c>tier</c>, its <c>revenue_per_month</c>).</summary>
    public const string File = "file";

    /// <summary>The tier's list price (<c>revenue_per_customer_per_month</c>).</summary>
    public const string TierPrice = "tier price";
}

/// <summary>One tenant's figures from a system of record (billing), supplied by a host.</summary>
/// <param name="Tenant">The tenant id (the <c>tenant</c> label).</param>
/// <param name="Tier">The tier its plan maps to; null when the plan maps to none.</param>
/// <param name="RevenuePerMonth">Its revenue per month, USD; null when the source has no usable figure (e.g. billed in a currency with no rate), which leaves the file's.</param>
public sealed record TenantFigure(string Tenant, string? Tier, decimal? RevenuePerMonth);

/// <summary>
/// Figures a host read from a billing system, laid over the tenant file by
/// <see cref="TenantDirectory.WithFigures"/> (and kept over reloads by
/// <c>TenantDirectorySource.ApplyFigures</c>). The engine never reads a billing system itself: this is
/// the whole of its side of the contract.
/// </summary>
/// <param name="Source">What the figures are, as <see cref="TenantInfo.RevenueSource"/> will say, e.g. <c>stripe mrr</c>.</param>
/// <param name="AsOf">When the source was last read successfully (freshness).</param>
/// <param name="Tenants">One figure per tenant id.</param>
public sealed record TenantFigureSet(string Source, DateTimeOffset AsOf, IReadOnlyList<TenantFigure> Tenants);

public sealed partial class TenantDirectory
{
    /// <summary>
    /// This directory with a billing source's figures laid over it. The file stays the override: a
    /// tenant listed in the file keeps its tier, and keeps its <c>revenue_per_month</c> when it gives
    /// one; otherwise its revenue is the source's. A tenant only the source knows is added when its plan
    /// maps to a tier this directory defines (engagement 0); one whose plan maps to no tier stays out
    /// (tier <c>unknown</c>), as does one without a usable revenue figure.
    /// </summary>
    public TenantDirectory WithFigures(TenantFigureSet? figures)
    {
        if (figures is null)
        {
            return this;
        }

        var bySource = new Dictionary<string, TenantFigure>(StringComparer.Ordinal);
        foreach (var f in figures.Tenants)
        {
            bySource[f.Tenant] = f;
        }

        var merged = new List<TenantInfo>(this.ordered.Length + bySource.Count);
        foreach (var t in this.ordered)
        {
            var keepFile = t.RevenueSource == TenantFigureSources.File;
            merged.Add(!keepFile && bySource.TryGetValue(t.Id, out var f) && f.RevenuePerMonth is { } revenue
                ? t with { RevenuePerMonth = revenue, RevenueSource = figures.Source }
                : t);
            bySource.Remove(t.Id);
        }

        foreach (var f in figures.Tenants)
        {
            if (bySource.ContainsKey(f.Tenant) && f.Tier is { } tier && this.Tiers.ContainsKey(tier) && f.RevenuePerMonth is { } revenue)
            {
                merged.Add(new TenantInfo(f.Tenant, tier, revenue, 0d) { TierSource = figures.Source, RevenueSource = figures.Source });
                bySource.Remove(f.Tenant);
            }
        }

        return new TenantDirectory(this.Tiers.Values, merged, this.SourceName, this.Infra, this.InfraCosts)
        {
            RevenueSettings = this.RevenueSettings,
            Figures = figures,
        };
    }
}
