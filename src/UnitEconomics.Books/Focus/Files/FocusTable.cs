using System.Globalization;

namespace UnitEconomics.Books.Focus.Files;

/// <summary>
/// A FOCUS file as read: its column names and, per row, each value as text (null for a null). CSV and
/// Parquet files both read into this shape (Parquet values are turned into the text FOCUS prescribes:
/// decimals in invariant notation, date/times as <c>YYYY-MM-DDTHH:mm:ssZ</c>, maps as JSON), so the
/// conformance check and the bill import judge both forms by one set of rules and give identical results.
/// </summary>
public sealed class FocusTable
{
    private readonly Dictionary<string, int> index;

    public FocusTable(string source, IReadOnlyList<string> columns, IReadOnlyList<string?[]> rows)
    {
        this.Source = source;
        this.Columns = columns;
        this.Rows = rows;
        this.index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            if (!this.index.TryAdd(columns[i], i))
            {
                throw new FocusFormatException(source, 0, columns[i], "the column appears twice in the header");
            }
        }
    }

    /// <summary>The file the table was read from (a folder's member for a folder of monthly files).</summary>
    public string Source { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<string?[]> Rows { get; }

    public bool Has(string column) => this.index.ContainsKey(column);

    /// <summary>The value of <paramref name="column"/> in the row at <paramref name="row"/> (0-based); null when null or when the column is absent.</summary>
    public string? Text(int row, string column) => this.index.TryGetValue(column, out var i) ? this.Rows[row][i] : null;

    /// <summary>A decimal column's value; null when null. Refuses text FOCUS's NumericFormat does not allow.</summary>
    public decimal? Decimal(int row, string column)
    {
        var text = this.Text(row, column);
        if (text is null)
        {
            return null;
        }

        return FocusValues.TryParseDecimal(text, out var value)
            ? value
            : throw this.Fail(row, column, $"'{Show(text)}' is not a decimal number (FOCUS NumericFormat: digits, one '.', optional leading '-', optional E exponent)");
    }

    /// <summary>A date/time column's value in UTC; null when null. Refuses anything but ISO 8601 in UTC.</summary>
    public DateTime? DateTime(int row, string column)
    {
        var text = this.Text(row, column);
        if (text is null)
        {
            return null;
        }

        return FocusValues.TryParseDateTime(text, out var value)
            ? value
            : throw this.Fail(row, column, $"'{Show(text)}' is not an ISO 8601 UTC date/time (FOCUS DateTimeFormat: YYYY-MM-DDTHH:mm:ssZ)");
    }

    public FocusFormatException Fail(int row, string? column, string problem) => new(this.Source, row + 1, column, problem);

    internal static string Show(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>FOCUS's value formats (NumericFormat, DateTimeFormat), read and written.</summary>
public static class FocusValues
{
    /// <summary>The date/time format FOCUS prescribes for a moment in time.</summary>
    public const string DateTimeFormat = "yyyy-MM-ddTHH:mm:ssZ";

    /// <summary>
    /// NumericFormat: an optional '-' (never '+'), digits with at most one '.', optionally an E exponent;
    /// no thousands separators, currency symbols or units.
    /// </summary>
    public static bool TryParseDecimal(string text, out decimal value)
    {
        value = 0m;
        if (text.Length == 0 || text[0] == '+' || text.Contains(',', StringComparison.Ordinal) || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return false;
        }

        var styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (decimal.TryParse(text, styles, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        // Tiny values in E notation (1E-30) underflow decimal's range: zero is their honest decimal.
        return double.TryParse(text, styles, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && Math.Abs(d) < 1e-20 && (value = 0m) == 0m;
    }

    /// <summary>ISO 8601 in UTC: <c>2026-10-01T00:00:00Z</c> (fractions of a second and a date-only value are accepted on import).</summary>
    public static bool TryParseDateTime(string text, out DateTime value)
    {
        string[] formats = ["yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", "yyyy-MM-ddTHH:mmZ", "yyyy-MM-dd"];
        return System.DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>Whether <paramref name="text"/> is exactly the format FOCUS prescribes for output (the check is strict about it).</summary>
    public static bool IsStrictDateTime(string text) =>
        System.DateTime.TryParseExact(text, DateTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _);

    public static string Format(DateTime utc) => utc.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>A decimal as NumericFormat text, without trailing zeros.</summary>
    public static string Format(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);
}
