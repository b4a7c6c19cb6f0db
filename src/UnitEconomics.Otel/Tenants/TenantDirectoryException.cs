namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// A tenant directory file that cannot be used. The message names the file, the entry (a tier or a
/// tenant id) and the field, so whoever edits the file can fix it without reading code.
/// </summary>
public sealed class TenantDirectoryException : Exception
{
    public TenantDirectoryException()
    {
    }

    public TenantDirectoryException(string message)
        : base(message)
    {
    }

    public TenantDirectoryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal TenantDirectoryException(string sourceName, int line, string? entry, string? field, string problem, Exception? innerException = null)
        : base(Format(sourceName, line, entry, field, problem), innerException)
    {
        this.SourceName = sourceName;
        this.Line = line;
        this.Entry = entry;
        this.Field = field;
    }

    /// <summary>The file (or the name given to <see cref="TenantDirectory.Parse"/>).</summary>
    public string? SourceName { get; }

    /// <summary>1-based line of the offending text; 0 when not known.</summary>
    public int Line { get; }

    /// <summary>The entry at fault, e.g. <c>tier 'pro'</c> or <c>tenant 'acme'</c>; null for the file as a whole.</summary>
    public string? Entry { get; }

    /// <summary>The field at fault, e.g. <c>revenue_per_month</c>; null when the whole entry is at fault.</summary>
    public string? Field { get; }

    private static string Format(string sourceName, int line, string? entry, string? field, string problem)
    {
        // "file:line: tenant 'acme', field 'tier': problem" reads like a compiler diagnostic, which
        // editors and CI logs already know how to point at.
        var where = line > 0 ? $"{sourceName}:{line}" : sourceName;
        return (entry, field) switch
        {
            (null, null) => $"{where}: {problem}",
            (null, _) => $"{where}: field '{field}': {problem}",
            (_, null) => $"{where}: {entry}: {problem}",
            _ => $"{where}: {entry}, field '{field}': {problem}",
        };
    }
}
