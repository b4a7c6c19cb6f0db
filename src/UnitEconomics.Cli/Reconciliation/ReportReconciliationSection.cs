using System.Text;
using UnitEconomics.Books.Reconciliation;

namespace UnitEconomics.Cli.Reconciliation;

/// <summary>
/// The weekly report's section "Provider bills against estimates", present when <c>ue report</c> is
/// given bills: the same two tables as <c>ue reconcile</c>, under the report's headings; in CSV, one more
/// tidy file, <c>reconciliation.csv</c>.
/// </summary>
public static class ReportReconciliationSection
{
    public const string CsvName = "reconciliation";

    public static void Append(StringBuilder sb, ReconciliationResult? result, bool markdown)
    {
        if (result is null)
        {
            return;
        }

        var title = $"Provider bills against estimates ({result.FromUtc:yyyy-MM-dd} to {result.ToUtc:yyyy-MM-dd}, whole UTC days, tolerance {result.Tolerance:0.#%})";
        sb.AppendLine(markdown ? "## " + title : title.ToUpperInvariant()).AppendLine();
        ReconciliationRenderer.AppendSections(sb, result, markdown, headingLevel: 3);
    }

    public static IEnumerable<(string Name, string Csv)> CsvTables(ReconciliationResult? result) =>
        result is null ? [] : [(CsvName, ReconciliationRenderer.ToCsv(result))];
}
