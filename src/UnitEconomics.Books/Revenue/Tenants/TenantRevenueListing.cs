using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Revenue.Tenants;

/// <summary>One tenant as resolved: its tier and revenue, which figure that revenue is and where it came from.</summary>
/// <param name="Figure">What the revenue is: <c>mrr</c>, <c>recognised 2026-11</c>, <c>tier price</c> or <c>file</c> (the tenant's own <c>revenue_per_month</c>).</param>
/// <param name="Source">Where it came from: <c>stripe</c>, <c>stripe export</c> or <c>tenant file</c>.</param>
/// <param name="MrrUsd">The billing source's MRR, when it knows the tenant.</param>
/// <param name="RecognisedUsd">The billing source's recognised revenue in the last complete month, when it knows the tenant.</param>
/// <param name="Note">Why the tenant is left out of margins, or what else to know.</param>
public sealed record TenantRevenueRow(string Tenant, string Tier, string TierSource, decimal? RevenuePerMonth, string Figure, string Source, decimal? MrrUsd, decimal? RecognisedUsd, string? Note);

/// <summary>
/// What <c>ue tenants</c> prints: every tenant of the file and of the billing source, with the tier
/// and revenue the margin will use and where each came from — the operator's check of the mapping.
/// </summary>
public sealed record TenantRevenueListing(string RevenueSource, DateTimeOffset? ReadAt, string? Error, IReadOnlyList<TenantRevenueRow> Tenants)
{
    private const string FileSource = "tenant file";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static TenantRevenueListing Of(LoadedRevenue loaded)
    {
        var snapshot = loaded.Snapshot;
        var billing = snapshot?.Tenants.ToDictionary(t => t.Tenant, StringComparer.Ordinal) ?? [];
        var month = snapshot?.MarginMonth;
        var rows = new List<TenantRevenueRow>();
        foreach (var t in loaded.Directory.Tenants)
        {
            billing.Remove(t.Id, out var b);
            var fromBilling = snapshot is not null && t.RevenueSource == snapshot.FigureSource;
            var figure = fromBilling ? FigureName(snapshot!, month)
                : t.RevenueSource == TenantFigureSources.File ? "file" : "tier price";
            rows.Add(new TenantRevenueRow(
                t.Id,
                t.Tier,
                t.TierSource == TenantFigureSources.File ? FileSource : snapshot?.Source ?? t.TierSource,
                t.RevenuePerMonth,
                figure,
                fromBilling ? snapshot!.Source : FileSource,
                b?.MrrUsd,
                Recognised(b, month),
                b?.Flag));
        }

        // Billing tenants the directory could not place: shown so the mapping can be fixed.
        foreach (var b in billing.Values)
        {
            var note = b.Flag ?? (b.PlanTier is null ? "its plan maps to no tier (revenue.plan_tiers): tier unknown, not in margins" : null);
            rows.Add(new TenantRevenueRow(b.Tenant, TenantDirectory.UnknownTier, snapshot!.Source, null, FigureName(snapshot, month), snapshot.Source, b.MrrUsd, Recognised(b, month), note));
        }

        var source = snapshot?.FigureSource ?? (loaded.Error is null ? FileSource : FileSource + " (billing source failed)");
        return new TenantRevenueListing(source, snapshot?.ReadAt, loaded.Error, rows);
    }

    /// <summary>An aligned text table: text left, money right.</summary>
    public string RenderTable()
    {
        var sb = new StringBuilder();
        sb.Append("Revenue: ").Append(this.RevenueSource);
        if (this.ReadAt is { } at)
        {
            sb.Append(CultureInfo.InvariantCulture, $", read {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        }

        sb.AppendLine();
        if (this.Error is { } error)
        {
            sb.Append("Billing source not read: ").AppendLine(error);
        }

        sb.AppendLine();
        string[] header = ["tenant", "tier", "tier from", "revenue/month", "figure", "source", "MRR", "recognised", "note"];
        var rightAligned = new[] { false, false, false, true, false, false, true, true, false };
        var cells = this.Tenants.Select(r => new[] { r.Tenant, r.Tier, r.TierSource, Usd(r.RevenuePerMonth), r.Figure, r.Source, Usd(r.MrrUsd), Usd(r.RecognisedUsd), r.Note ?? string.Empty }).ToList();
        var widths = header.Select((h, i) => cells.Select(c => c[i].Length).Append(h.Length).Max()).ToArray();
        void Line(string[] row) => sb.AppendLine(string.Join("  ", row.Select((c, i) => rightAligned[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        Line([.. widths.Select(w => new string('-', w))]);
        cells.ForEach(Line);
        return sb.ToString();
    }

    public string RenderJson() => JsonSerializer.Serialize(this, Json) + "\n";

    private static string FigureName(RevenueSnapshot snapshot, DateOnly? month) =>
        snapshot.Figure == RevenueFigure.Mrr ? "mrr" : $"recognised {month:yyyy-MM}";

    private static decimal? Recognised(TenantRevenue? tenant, DateOnly? month) =>
        tenant is not null && month is { } m && tenant.RecognisedUsd.TryGetValue(m, out var v) ? v : null;

    private static string Usd(decimal? value) => value is { } v ? v.ToString("$#,##0.00;-$#,##0.00", CultureInfo.InvariantCulture) : "—";
}
