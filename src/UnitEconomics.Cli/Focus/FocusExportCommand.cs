using System.Globalization;
using UnitEconomics.Books.Focus;
using UnitEconomics.Books.Focus.Check;
using UnitEconomics.Books.Focus.Export;
using UnitEconomics.Books.Focus.Files;
using UnitEconomics.Cli.Reporting;

namespace UnitEconomics.Cli.Focus;

/// <summary>What <c>ue export focus</c> writes: the window read from Prometheus, and where.</summary>
public sealed record FocusExportSettings
{
    public required Uri Prometheus { get; init; }

    public required DateTime FromUtc { get; init; }

    public required DateTime ToUtc { get; init; }

    public required string OutFile { get; init; }

    public FocusFileFormat Format { get; init; } = FocusFileFormat.Csv;
}

/// <summary>
/// <c>ue export focus</c> (AI cost as FOCUS rows, from a live Prometheus), <c>ue export focus --check</c>
/// (the conformance check of a FOCUS file) and the demo's <c>--focus</c> file. The rows and the rules
/// live in UnitEconomics.Books; this class only runs them and says what it did.
/// </summary>
public static class FocusExportCommand
{
    public static async Task<int> ExportAsync(FocusExportSettings settings, TextWriter stdout, CancellationToken cancel)
    {
        using var source = new PrometheusReportSource(settings.Prometheus);
        var lines = await new PrometheusFocusLines(async (promql, at, c) =>
            [.. (await source.QueryAsync(promql, at, c)).Select(r => ((IReadOnlyDictionary<string, string>)r.Labels, r.Value))])
            .LoadAsync(settings.FromUtc, settings.ToUtc, cancel);
        var output = FocusAiExport.Build(lines);
        await FocusFileWriter.WriteAsync(output, settings.OutFile, settings.Format, cancel);
        stdout.WriteLine(Summary(output, settings.OutFile, settings.FromUtc, settings.ToUtc));
        return 0;
    }

    /// <summary>
    /// Writes the demo's rollup as a FOCUS file (Parquet when the name ends in .parquet, else CSV). The
    /// window widens to whole days holding any spend (an agent task started on the last simulated day can
    /// end after midnight), so the file holds exactly what the demo's report totals.
    /// </summary>
    public static async Task WriteDemoAsync(FocusRollup rollup, DateTime fromUtc, DateTime toUtc, string file, TextWriter status, CancellationToken cancel = default)
    {
        if (rollup.Days is var (first, last))
        {
            fromUtc = first < fromUtc ? first : fromUtc;
            toUtc = last.AddDays(1) > toUtc ? last.AddDays(1) : toUtc;
        }

        var output = FocusAiExport.Build(rollup.Lines(fromUtc, toUtc));
        await FocusFileWriter.WriteAsync(output, file, FormatOf(file), cancel);
        status.WriteLine(Summary(output, file, fromUtc, toUtc));
    }

    public static async Task<int> CheckAsync(string file, TextWriter stdout, CancellationToken cancel)
    {
        var result = FocusConformance.Check(await FocusFileReader.ReadAsync(file, cancel));
        var custom = result.CustomColumns.Count == 0 ? "none" : string.Join(", ", result.CustomColumns);
        stdout.WriteLine($"{file}: conforms to FOCUS {FocusSpec.Version} ({result.Rows:N0} rows, {result.Columns} columns, every mandatory one; custom columns: {custom})");
        return 0;
    }

    /// <summary>The format a file name asks for: Parquet for <c>.parquet</c>, CSV otherwise.</summary>
    public static FocusFileFormat FormatOf(string file) => FocusFileReader.IsParquet(file) ? FocusFileFormat.Parquet : FocusFileFormat.Csv;

    private static string Summary(FocusOutput output, string file, DateTime fromUtc, DateTime toUtc)
    {
        var billed = FocusAiExport.Columns.Select((c, i) => (c, i)).Single(x => x.c.Name == FocusSpec.BilledCost).i;
        var total = output.Rows.Sum(r => (decimal)r[billed]!);
        return string.Create(CultureInfo.InvariantCulture, $"FOCUS {FocusSpec.Version}: {output.Rows.Count:N0} rows, BilledCost {FocusValues.Format(total)} USD, {fromUtc:yyyy-MM-ddTHH:mm:ssZ} to {toUtc:yyyy-MM-ddTHH:mm:ssZ}, written to {file}");
    }
}
