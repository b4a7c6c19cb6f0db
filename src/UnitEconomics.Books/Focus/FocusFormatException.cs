namespace UnitEconomics.Books.Focus;

/// <summary>
/// A FOCUS file (an export to check, a cloud bill to import) that cannot be used as it is. The message is
/// one line naming the file and, where there is one, the row and the column: <c>bill.csv: row 7, column
/// BilledCost: 'abc' is not a decimal number</c>. Nothing of a refused file is used.
/// </summary>
public sealed class FocusFormatException : Exception
{
    public FocusFormatException()
    {
    }

    public FocusFormatException(string message)
        : base(message)
    {
    }

    public FocusFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FocusFormatException(string source, int row, string? column, string problem)
        : base(Describe(source, row, column, problem))
    {
        this.Source = source;
        this.Row = row;
        this.Column = column;
    }

    /// <summary>The file (or folder member) at fault.</summary>
    public new string? Source { get; }

    /// <summary>The data row, counted from 1 (the header is not a row); 0 for the file as a whole.</summary>
    public int Row { get; }

    public string? Column { get; }

    private static string Describe(string source, int row, string? column, string problem)
    {
        var where = (row > 0, column is not null) switch
        {
            (true, true) => $"row {row}, column {column}: ",
            (true, false) => $"row {row}: ",
            (false, true) => $"column {column}: ",
            _ => string.Empty,
        };
        return $"{source}: {where}{problem}";
    }
}
