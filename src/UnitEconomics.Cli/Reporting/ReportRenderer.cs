using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using UnitEconomics.Cli.Reconciliation;

namespace UnitEconomics.Cli.Reporting;

public enum ReportFormat
{
    Table,
    Markdown,
    Csv,
    Json,
}

/// <summary>
/// Writes a report for people (a terminal table or Markdown: text left-aligned, figures right-aligned,
/// money to the cent from $1 up and to 4 significant digits below) or as JSON (docs/report.md has its
/// schema). CSV, one tidy file per table, is <see cref="ReportCsv"/>.
/// </summary>
public static class ReportRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Render(UnitEconomicsReport report, ReportFormat format) => format switch
    {
        ReportFormat.Json => JsonSerializer.Serialize(report, Json) + "\n",
        ReportFormat.Csv => throw new ArgumentException("CSV is one file per table: ReportCsv.Tables", nameof(format)),
        _ => Text(report, markdown: format == ReportFormat.Markdown),
    };

    public static UnitEconomicsReport? FromJson(string json) => JsonSerializer.Deserialize<UnitEconomicsReport>(json, Json);

    private static string Text(UnitEconomicsReport r, bool markdown)
    {
        var sb = new StringBuilder();
        var title = $"AI unit economics — {r.FromUtc:yyyy-MM-dd HH:mm} to {r.ToUtc:yyyy-MM-dd HH:mm} UTC ({r.WindowDays.ToString("0.##", Inv)} days, source: {r.Source})";
        sb.AppendLine(markdown ? "# " + title : title).AppendLine();
        if (RevenueSection.Line(r.Revenue) is { } revenue)
        {
            sb.AppendLine(revenue).AppendLine();
        }

        var calls = r.UseCases.Sum(u => u.Calls);
        sb.Append(Inv, $"Total AI spend: {ReportFormatting.Usd(r.TotalCost)} over {ReportFormatting.Count(calls)} priced calls");
        sb.AppendLine(r.UnpricedCalls > 0 ? $"; {ReportFormatting.Count(r.UnpricedCalls)} calls to unpriced models are not in it (cost unknown)." : ".").AppendLine();
        foreach (var table in ReportTables.Of(r))
        {
            Section(sb, markdown, table);
        }

        ReportReconciliationSection.Append(sb, r.Reconciliation, markdown);
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, bool markdown, ReportTable table)
    {
        sb.AppendLine(markdown ? "## " + table.Title : table.Title.ToUpperInvariant()).AppendLine();
        if (table.Note is { } note)
        {
            sb.AppendLine(markdown ? "_" + note + "_" : note).AppendLine();
        }

        if (table.Rows.Count == 0)
        {
            sb.AppendLine("(none)").AppendLine();
            return;
        }

        var header = table.Columns.Select(c => c.Header).ToArray();
        var rows = table.Rows.Select(row => row.Select((v, i) => v is null ? table.Columns[i].NullText : Cell(v, table.Columns[i].Kind)).ToArray()).ToList();
        var left = table.Columns.Select(c => c.Kind == ColumnKind.Text).ToArray();
        if (markdown)
        {
            sb.AppendLine("| " + string.Join(" | ", header) + " |");
            sb.AppendLine("|" + string.Concat(left.Select(l => l ? ":---|" : "---:|")));
            foreach (var row in rows)
            {
                sb.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
            }

            sb.AppendLine();
            return;
        }

        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        string Line(string[] cells) => "  " + string.Join("  ", cells.Select((c, i) => left[i] ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
        sb.AppendLine(Line(header));
        sb.AppendLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            sb.AppendLine(Line(row));
        }

        sb.AppendLine();
    }

    private static string Cell(object value, ColumnKind kind) => kind switch
    {
        ColumnKind.Money => ReportFormatting.Usd((decimal)value),
        ColumnKind.Count => ReportFormatting.Count(Convert.ToInt64(value, Inv)),
        ColumnKind.Percent => ReportFormatting.Percent(value as double?),
        ColumnKind.Multiplier => ReportFormatting.Ratio(value as double?),
        ColumnKind.Number => value is double x ? x.ToString(Math.Abs(x) >= 100 ? "N0" : "0.##", Inv) : Convert.ToString(value, Inv) ?? string.Empty,
        _ => Convert.ToString(value, Inv) ?? string.Empty,
    };
}
