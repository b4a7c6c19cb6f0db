using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using Parquet.Schema;
using Parquet.Serialization;

namespace UnitEconomics.Books.Focus.Files;

/// <summary>The file formats a FOCUS export is written in.</summary>
public enum FocusFileFormat
{
    Csv,
    Parquet,
}

/// <summary>Rows to write: typed values (<see cref="decimal"/>, UTC <see cref="DateTime"/>, <see cref="string"/>, or null) in the order of <see cref="Columns"/>.</summary>
public sealed record FocusOutput(IReadOnlyList<FocusColumn> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>Writes FOCUS rows as CSV (CsvHelper, UTF-8 without BOM) or Parquet (Parquet.Net, typed columns).</summary>
public static class FocusFileWriter
{
    /// <summary>Decimal columns in Parquet: 12 decimals hold every engine cost exactly (it computes in pico-USD).</summary>
    public const int DecimalScale = 12;

    public static async Task WriteAsync(FocusOutput output, string path, FocusFileFormat format, CancellationToken cancel = default)
    {
        await using var stream = File.Create(path);
        if (format == FocusFileFormat.Parquet)
        {
            await WriteParquetAsync(output, stream, cancel);
        }
        else
        {
            await WriteCsvAsync(output, stream);
        }
    }

    public static async Task WriteCsvAsync(FocusOutput output, Stream stream)
    {
        await using var text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        using (var writer = Sep.Writer(o => o with { Sep = new Sep(','), Escape = true, CultureInfo = CultureInfo.InvariantCulture }).To(text))
        {
            foreach (var values in output.Rows)
            {
                using var row = writer.NewRow();
                for (var i = 0; i < output.Columns.Count; i++)
                {
                    row[output.Columns[i].Name].Set(values[i] switch
                    {
                        null => string.Empty,
                        decimal m => FocusValues.Format(m),
                        DateTime t => FocusValues.Format(t),
                        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                        var other => other.ToString(),
                    });
                }
            }

            if (output.Rows.Count == 0)
            {
                // Sep writes the header with the first row; an empty export still needs its columns.
                await text.WriteLineAsync(string.Join(',', output.Columns.Select(c => c.Name)));
            }
        }

        await text.FlushAsync();
    }

    public static async Task WriteParquetAsync(FocusOutput output, Stream stream, CancellationToken cancel = default)
    {
        var schema = new ParquetSchema(output.Columns.Select(Field));
        var data = output.Rows.Select(row =>
        {
            IDictionary<string, object?> record = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < output.Columns.Count; i++)
            {
                record[output.Columns[i].Name] = row[i];
            }

            return record;
        }).ToList();
        await ParquetSerializer.SerializeUntypedAsync(data, schema, stream, cancellationToken: cancel);
    }

    private static DataField Field(FocusColumn column) => column.Type switch
    {
        FocusType.Decimal => new DecimalDataField(column.Name, 28, DecimalScale, isNullable: column.AllowsNulls),
        FocusType.DateTime => new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, isNullable: column.AllowsNulls),
        _ => new DataField<string>(column.Name, column.AllowsNulls),
    };
}
