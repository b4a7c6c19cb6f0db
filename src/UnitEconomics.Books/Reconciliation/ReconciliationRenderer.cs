using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using CsvHelper.Configuration;
using UnitEconomics.Books.ProviderBills;

namespace UnitEconomics.Books.Reconciliation;

/// <summary>
/// Writes a reconciliation as a terminal table, Markdown, tidy CSV (one header, one line per row, fixed
/// columns) or JSON: the formats of <c>ue report</c>.
/// </summary>
public static class ReconciliationRenderer
{
    /// <summary>The CSV's columns, in order; every line has all of them.</summary>
    public static readonly string[] CsvColumns =
    [
        "provider", "day", "model", "names", "verdict", "billed_usd", "estimated_usd", "cost_ratio",
        "billed_input_tokens", "billed_cache_read_tokens", "billed_cache_write_tokens", "billed_output_tokens",
        "traced_input_tokens", "traced_cache_read_tokens", "traced_cache_write_tokens", "traced_output_tokens",
        "coverage", "note",
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly CsvConfiguration CsvConfig = new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The verdict as words: "matched", "price drift", "coverage gap", "bill-only", "estimate-only".</summary>
    public static string Words(Verdict verdict) => verdict switch
    {
        Verdict.Matched => "matched",
        Verdict.PriceDrift => "price drift",
        Verdict.CoverageGap => "coverage gap",
        Verdict.BillOnly => "bill-only",
        _ => "estimate-only",
    };

    public static string ToJson(ReconciliationResult result) => JsonSerializer.Serialize(result, Json);

    public static ReconciliationResult? FromJson(string json) => JsonSerializer.Deserialize<ReconciliationResult>(json, Json);

    public static string ToCsv(ReconciliationResult result)
    {
        using var text = new StringWriter(Inv);
        using (var csv = new CsvWriter(text, CsvConfig))
        {
            foreach (var column in CsvColumns)
            {
                csv.WriteField(column);
            }

            csv.NextRecord();
            foreach (var r in result.Rows)
            {
                object?[] cells =
                [
                    r.Provider, r.Day.ToString("yyyy-MM-dd", Inv), r.Model, r.Names, Words(r.Verdict), r.BilledUsd, r.EstimatedUsd, r.CostRatio,
                    r.BilledTokens.Input, r.BilledTokens.CacheRead, r.BilledTokens.CacheWrite, r.BilledTokens.Output,
                    r.TracedTokens.Input, r.TracedTokens.CacheRead, r.TracedTokens.CacheWrite, r.TracedTokens.Output,
                    r.Coverage, r.Note,
                ];
                foreach (var cell in cells)
                {
                    csv.WriteField(Raw(cell));
                }

                csv.NextRecord();
            }
        }

        return text.ToString();
    }

    /// <summary>A CSV cell: empty for a figure that does not exist, numbers invariant with at most 9 decimals (as the report's CSV).</summary>
    private static string Raw(object? value) => value switch
    {
        null => string.Empty,
        decimal d => Math.Round(d, 9, MidpointRounding.AwayFromZero).ToString("0.#########", Inv),
        double x => Math.Round(x, 9, MidpointRounding.AwayFromZero).ToString("0.#########", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>The terminal table (or Markdown): the per-provider totals, then every row.</summary>
    public static string ToText(ReconciliationResult result, bool markdown, int headingLevel = 1)
    {
        var sb = new StringBuilder();
        var title = $"Provider bills against estimates — {result.FromUtc:yyyy-MM-dd} to {result.ToUtc:yyyy-MM-dd} UTC (tolerance {Pct(result.Tolerance)}, estimates: {result.EstimateSource})";
        sb.AppendLine(markdown ? new string('#', headingLevel) + " " + title : title.ToUpperInvariant()).AppendLine();
        AppendSections(sb, result, markdown, headingLevel + 1);
        return sb.ToString();
    }

    /// <summary>The two sections without a title: for the weekly report's reconciliation section.</summary>
    public static void AppendSections(StringBuilder sb, ReconciliationResult result, bool markdown, int headingLevel)
    {
        var table = new TextTable(markdown, headingLevel);
        table.Section(sb, "By provider", 1,
            ["provider", "billed", "estimated", "estimate ratio", "input cov.", "cache read cov.", "cache write cov.", "output cov.", "reconciled until", "verdicts"],
            result.Providers.Select(p => new[]
            {
                p.Provider, Usd(p.BilledUsd), Usd(p.EstimatedUsd), p.EstimateRatio is { } e ? e.ToString("0.000", Inv) : "—",
                Coverage(p, "input"), Coverage(p, "cache_read"), Coverage(p, "cache_write"), Coverage(p, "output"),
                p.ReconciledUntil is { } u ? u.ToString("yyyy-MM-dd", Inv) : "—",
                string.Join(", ", p.Verdicts.Where(v => v.Value > 0).Select(v => $"{v.Value} {Words(v.Key)}")),
            }));
        table.Section(sb, "By provider, day and model", 4,
            ["day", "provider", "model", "verdict", "billed", "estimated", "est/bill", "billed tokens", "traced tokens", "coverage", "why"],
            result.Rows.Select(r => new[]
            {
                r.Day.ToString("yyyy-MM-dd", Inv), r.Provider, r.Model, Words(r.Verdict), Usd(r.BilledUsd), Usd(r.EstimatedUsd),
                r.CostRatio is { } c ? c.ToString("0.000", Inv) : "—", r.BilledTokens.Total.ToString("N0", Inv), r.TracedTokens.Total.ToString("N0", Inv),
                r.Coverage is { } v ? Pct(v) : "—", r.Note,
            }));
    }

    private static string Coverage(ProviderReconciliation p, string type) => p.Coverage.TryGetValue(type, out var c) ? Pct(c) : "—";

    private static string Usd(decimal value) => value.ToString("$#,##0.00;-$#,##0.00", Inv);

    private static string Pct(double value) => value.ToString("0.0%", Inv);

    /// <summary>A section of aligned columns (figures right, text left) or a Markdown table.</summary>
    private sealed class TextTable(bool markdown, int headingLevel)
    {
        /// <summary>The first <paramref name="textColumns"/> columns and the last are text (left-aligned); the others figures.</summary>
        public void Section(StringBuilder sb, string title, int textColumns, string[] header, IEnumerable<string[]> rows)
        {
            var all = rows.ToList();
            bool Left(int i) => i < textColumns || i == header.Length - 1;
            sb.AppendLine(markdown ? new string('#', headingLevel) + " " + title : title.ToUpperInvariant()).AppendLine();
            if (all.Count == 0)
            {
                sb.AppendLine("(none)").AppendLine();
                return;
            }

            if (markdown)
            {
                sb.AppendLine("| " + string.Join(" | ", header) + " |");
                sb.AppendLine("|" + string.Concat(header.Select((_, i) => Left(i) ? "---|" : "---:|")));
                foreach (var row in all)
                {
                    sb.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
                }

                sb.AppendLine();
                return;
            }

            var widths = header.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
            sb.AppendLine("  " + string.Join("  ", header.Select((h, i) => Left(i) ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))).TrimEnd());
            sb.AppendLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
            foreach (var row in all)
            {
                sb.AppendLine("  " + string.Join("  ", row.Select((c, i) => Left(i) ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
            }

            sb.AppendLine();
        }
    }
}
