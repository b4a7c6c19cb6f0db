using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Revenue;

/// <summary>
/// One tenant's revenue as the billing source has it, in USD (rounded to the cent).
/// </summary>
/// <param name="Tenant">The tenant id.</param>
/// <param name="PlanTier">The tier its plan maps to (<c>revenue.plan_tiers</c>); null when none maps.</param>
/// <param name="Currencies">The currencies it is billed in (lower-case ISO codes).</param>
/// <param name="MrrUsd">Monthly recurring revenue; null when billed in a currency with no USD rate.</param>
/// <param name="RecognisedUsd">Recognised revenue per calendar month (first day of the month); a null value when no USD rate was in force.</param>
/// <param name="Flag">Why the tenant is left out of margins (a currency without a rate), or a part of its plan that MRR cannot price; null when none.</param>
public sealed record TenantRevenue(
    string Tenant,
    string? PlanTier,
    IReadOnlyList<string> Currencies,
    decimal? MrrUsd,
    IReadOnlyDictionary<DateOnly, decimal?> RecognisedUsd,
    string? Flag);

/// <summary>
/// The revenue of every tenant the billing source knows, as read at <see cref="ReadAt"/>, and which of
/// its two figures feeds the margin (<see cref="Figure"/>).
/// </summary>
public sealed record RevenueSnapshot(string Source, RevenueFigure Figure, DateTimeOffset ReadAt, IReadOnlyList<DateOnly> Months, IReadOnlyList<TenantRevenue> Tenants)
{
    /// <summary>What the margin's revenue is, as the tenant listing and the gauges' provenance say it: <c>stripe mrr</c>, <c>stripe recognised</c>.</summary>
    public string FigureSource => $"{this.Source} {FigureName(this.Figure)}";

    /// <summary>The month whose recognised revenue feeds the margin when chosen: the last complete one.</summary>
    public DateOnly? MarginMonth => this.Months.Count > 0 ? this.Months[^1] : null;

    public static string FigureName(RevenueFigure figure) => figure == RevenueFigure.Mrr ? "mrr" : "recognised";

    /// <summary>The figure that feeds the margin for <paramref name="tenant"/>; null when it has none in USD.</summary>
    public decimal? MarginFigure(TenantRevenue tenant) => this.Figure == RevenueFigure.Mrr
        ? tenant.MrrUsd
        : this.MarginMonth is { } month && tenant.RecognisedUsd.TryGetValue(month, out var value) ? value
        : tenant.Currencies.All(c => c == "usd") ? 0m : null;

    /// <summary>The figures to lay over the tenant directory (<see cref="TenantDirectorySource"/>).</summary>
    public TenantFigureSet ToFigures() =>
        new(this.FigureSource, this.ReadAt, [.. this.Tenants.Select(t => new TenantFigure(t.Tenant, t.PlanTier, this.MarginFigure(t)))]);
}
