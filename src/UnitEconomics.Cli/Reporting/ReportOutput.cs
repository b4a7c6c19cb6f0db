using System.Text;
using UnitEconomics.Cli.Reconciliation;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// Where a rendered report goes: standard output, a file (UTF-8 without a byte-order mark, which JSON
/// parsers and most CSV readers reject), or for CSV a folder with one tidy file per table.
/// </summary>
public static class ReportOutput
{
    /// <summary>UTF-8 without BOM: every file the CLI writes.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static async Task WriteAsync(UnitEconomicsReport report, ReportFormat format, string? path, TextWriter stdout)
    {
        if (format == ReportFormat.Csv)
        {
            var tables = ReportCsv.Tables(report);
            if (path is null)
            {
                throw new Commands.UsageException("--format csv writes one file per table: give --out FOLDER");
            }

            Directory.CreateDirectory(path);
            foreach (var (name, csv) in tables.Concat(ReportReconciliationSection.CsvTables(report.Reconciliation)))
            {
                await File.WriteAllTextAsync(Path.Combine(path, name + ".csv"), csv, Utf8);
            }

            return;
        }

        var text = ReportRenderer.Render(report, format);
        if (path is null)
        {
            await stdout.WriteAsync(text);
            return;
        }

        await File.WriteAllTextAsync(path, text, Utf8);
    }
}
