using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// The report as tidy CSV: one file per table, one header row, the same columns on every row, raw
/// values (money in USD and shares as ratios, at most 9 decimals; an empty cell is a figure that does
/// not exist, such as the cost of an unpriced model). Quoting follows RFC 4180 (CsvHelper).
/// </summary>
public static class ReportCsv
{
    private const int MaxDecimals = 9;

    private static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    /// <summary>Each table as (file name without extension, CSV text); tenants are all of them, not the top ones.</summary>
    public static IReadOnlyList<(string Name, string Csv)> Tables(UnitEconomicsReport report) =>
        [.. ReportTables.Of(report, allTenants: true).Select(t => (t.Name, Write(t)))];

    private static string Write(ReportTable table)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = new CsvWriter(text, Config))
        {
            foreach (var column in table.Columns)
            {
                csv.WriteField(column.CsvName);
            }

            csv.NextRecord();
            foreach (var row in table.Rows)
            {
                foreach (var value in row)
                {
                    csv.WriteField(Raw(value));
                }

                csv.NextRecord();
            }
        }

        return text.ToString();
    }

    private static string Raw(object? value) => value switch
    {
        null => string.Empty,
        decimal d => Math.Round(d, MaxDecimals, MidpointRounding.AwayFromZero).ToString("0.#########", CultureInfo.InvariantCulture),
        double x => Math.Round(x, MaxDecimals, MidpointRounding.AwayFromZero).ToString("0.#########", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
