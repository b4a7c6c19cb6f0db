using System.Globalization;
using System.Text.Json;
using nietras.SeparatedValues;
using Parquet.Schema;
using Parquet.Serialization;

namespace UnitEconomics.Books.Focus.Files;

/// <summary>
/// Reads FOCUS files, CSV or Parquet (by extension: <c>.parquet</c> is Parquet, anything else CSV), one
/// file or every such file of a folder (a bill delivered as monthly files).
/// </summary>
public static class FocusFileReader
{
    /// <summary>The tables of <paramref name="path"/>: itself when a file, its <c>.csv</c>/<c>.parquet</c> files (sorted by name) when a folder.</summary>
    public static async Task<IReadOnlyList<FocusTable>> ReadPathAsync(string path, CancellationToken cancel = default)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(f => IsParquet(f) || f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                throw new FocusFormatException(path, 0, null, "the folder holds no .csv or .parquet file");
            }

            var tables = new List<FocusTable>();
            foreach (var file in files)
            {
                tables.Add(await ReadAsync(file, cancel));
            }

            return tables;
        }

        return [await ReadAsync(path, cancel)];
    }

    public static async Task<FocusTable> ReadAsync(string file, CancellationToken cancel = default)
    {
        if (!File.Exists(file))
        {
            throw new FocusFormatException(file, 0, null, "file not found");
        }

        try
        {
            return IsParquet(file) ? await ReadParquetAsync(file, cancel) : ReadCsv(file);
        }
        catch (FocusFormatException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FocusFormatException(file, 0, null, "cannot be read: " + ex.Message);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // Parquet.Net and Sep say what broke; one line of it is enough.
            var reason = ex.Message.Split('\n', 2)[0].Trim();
            throw new FocusFormatException(file, 0, null, $"is not a readable {(IsParquet(file) ? "Parquet" : "CSV")} file: {reason}");
        }
    }

    public static bool IsParquet(string file) => file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    private static FocusTable ReadCsv(string file)
    {
        // Sep reads with RFC 4180 quoting undone; a row whose field count differs from the header's is refused by it.
        using var reader = Sep.Reader(o => o with { Sep = new Sep(','), Unescape = true, CultureInfo = CultureInfo.InvariantCulture }).FromFile(file);
        var header = reader.Header.ColNames;
        if (header.Count == 0 || (header.Count == 1 && header[0].Length == 0))
        {
            throw new FocusFormatException(file, 0, null, "is empty: a FOCUS CSV starts with a header of column names");
        }

        var rows = new List<string?[]>();
        foreach (var record in reader)
        {
            var row = new string?[header.Count];
            for (var i = 0; i < header.Count; i++)
            {
                var field = record[i].ToString();

                // CSV has no null: FOCUS exports leave the field empty (NullHandling forbids empty strings as values).
                row[i] = field.Length == 0 ? null : field;
            }

            rows.Add(row);
        }

        return new FocusTable(file, [.. header.Select(h => h.Trim().TrimStart('\uFEFF'))], rows);
    }

    private static async Task<FocusTable> ReadParquetAsync(string file, CancellationToken cancel)
    {
        await using var stream = File.OpenRead(file);
        var result = await DeserializeAsync(stream, cancel);
        var columns = result.Schema.Fields.Select(f => f.Name).ToList();
        var rows = new List<string?[]>(result.Data.Count);
        foreach (var record in result.Data)
        {
            var row = new string?[columns.Count];
            for (var i = 0; i < columns.Count; i++)
            {
                row[i] = record.TryGetValue(columns[i], out var value) ? Text(value) : null;
            }

            rows.Add(row);
        }

        return new FocusTable(file, columns, rows);
    }

    private static async Task<(ParquetSchema Schema, IList<Dictionary<string, object>> Data)> DeserializeAsync(Stream stream, CancellationToken cancel)
    {
        try
        {
            var result = await ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancel);
            return (result.Schema, result.Data);
        }
        catch (IOException ex)
        {
            // Parquet.Net reports a damaged file (bad magic bytes, short footer) as an IOException.
            throw new InvalidDataException(ex.Message, ex);
        }
    }

    /// <summary>A Parquet value as the text a FOCUS CSV would carry.</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        decimal m => FocusValues.Format(m),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => FocusValues.Format(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t),
        DateTimeOffset o => FocusValues.Format(o.UtcDateTime),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IDictionary map => JsonSerializer.Serialize(map.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => map[k]?.ToString())),
        _ => value.ToString(),
    };
}
