using System.Globalization;
using UnitEconomics.Books.Revenue;

namespace UnitEconomics.Cli.Reporting;

/// <summary>One tenant's two billing figures in the report: MRR and recognised revenue of the last complete month, USD.</summary>
public sealed record RevenueRow(string Tenant, string? PlanTier, decimal? Mrr, decimal? Recognised, string? Note);

/// <summary>
/// The report's account of revenue when the tenant file names a billing source: which source and figure
/// fed the margin, how fresh it is (or why it could not be read), and both figures per tenant.
/// </summary>
public sealed record RevenueSection(string Source, string MarginFigure, DateTimeOffset? ReadAt, string? RecognisedMonth, string? Error, IReadOnlyList<RevenueRow> Tenants)
{
    /// <summary>The section of a report whose tenant file names a billing source; null when it names none.</summary>
    public static RevenueSection? Of(LoadedRevenue? loaded)
    {
        if (loaded is null || (loaded.Snapshot is null && loaded.Error is null))
        {
            return null;
        }

        if (loaded.Snapshot is not { } s)
        {
            return new RevenueSection("tenant file", "tier prices and the file's own figures", null, null, loaded.Error, []);
        }

        var month = s.MarginMonth;
        return new RevenueSection(
            s.Source,
            s.Figure == RevenueFigure.Mrr ? "mrr" : $"recognised {month:yyyy-MM}",
            s.ReadAt,
            month?.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            null,
            [.. s.Tenants.Select(t => new RevenueRow(t.Tenant, t.PlanTier, t.MrrUsd, month is { } m ? t.RecognisedUsd.GetValueOrDefault(m) : null, t.Flag))]);
    }

    /// <summary>The line under the report's title; null without a billing source.</summary>
    public static string? Line(RevenueSection? section) => section switch
    {
        null => null,
        { Error: { } error } => $"Revenue: the tenant file's figures; the billing source was not read ({error}).",
        _ => $"Revenue: {section.Source} ({section.MarginFigure} feeds the margin), read {section.ReadAt:yyyy-MM-dd HH:mm} UTC.",
    };

    /// <summary>The report's "Revenue from billing" table; none without a billing read.</summary>
    public static IEnumerable<ReportTable> Tables(RevenueSection? section)
    {
        if (section is null || section.Tenants.Count == 0)
        {
            yield break;
        }

        yield return new ReportTable(
            "revenue",
            $"Revenue from billing ({section.Source})",
            $"MRR: live subscriptions normalised to a month, after discounts, trials at 0; recognised: paid invoices less credit notes spread over their service period, {section.RecognisedMonth}. docs/tenants.md defines both.",
            [new("tenant", "tenant", ColumnKind.Text), new("plan tier", "plan_tier", ColumnKind.Text), new("MRR", "mrr_usd", ColumnKind.Money), new("recognised", "recognised_usd", ColumnKind.Money), new("note", "note", ColumnKind.Text)],
            [.. section.Tenants.Select(t => new object?[] { t.Tenant, t.PlanTier ?? "—", t.Mrr, t.Recognised, t.Note ?? string.Empty })]);
    }
}
