namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// A price catalog file that cannot be used as it is. Thrown at load time only, never while pricing a
/// span: a bad catalog should stop a deployment, not silently price calls at zero. The message names the
/// file, the entry and the field, so the fix can be made without a debugger.
/// </summary>
public sealed class CatalogValidationException : Exception
{
    public CatalogValidationException()
        : this("(unknown)", null, null, "invalid price catalog")
    {
    }

    public CatalogValidationException(string message)
        : this("(unknown)", null, null, message)
    {
    }

    public CatalogValidationException(string message, Exception innerException)
        : this("(unknown)", null, null, message, null, innerException)
    {
    }

    public CatalogValidationException(string file, string? entry, string? field, string problem, int? line = null, Exception? innerException = null)
        : base(Compose(file, entry, field, problem, line), innerException)
    {
        this.File = file;
        this.Entry = entry;
        this.Field = field;
        this.Problem = problem;
        this.Line = line;
    }

    /// <summary>The catalog file (path, or the name of the embedded default catalog).</summary>
    public string File { get; }

    /// <summary>The entry id, when the problem is inside one entry.</summary>
    public string? Entry { get; }

    /// <summary>The field, dotted for nested ones (<c>tiers[1].input</c>, <c>match.regex</c>).</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>1-based line in the file, when the parser knows it.</summary>
    public int? Line { get; }

    private static string Compose(string file, string? entry, string? field, string problem, int? line)
    {
        var where = line is int l ? $"price catalog '{file}' line {l}" : $"price catalog '{file}'";
        if (entry is not null)
        {
            where += $", entry '{entry}'";
        }

        if (field is not null)
        {
            where += $", field '{field}'";
        }

        return where + ": " + problem;
    }
}
