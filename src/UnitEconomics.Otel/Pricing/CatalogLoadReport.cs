namespace UnitEconomics.Otel.Pricing;

/// <summary>How a catalog file was read.</summary>
public enum CatalogFormat : byte
{
    /// <summary>This project's format in YAML.</summary>
    NativeYaml,
    /// <summary>This project's format in JSON.</summary>
    NativeJson,
    /// <summary>LiteLLM's <c>model_prices_and_context_window.json</c> (USD per token).</summary>
    LiteLlm,
    /// <summary>Entries given in code, not read from a file.</summary>
    InMemory,
}

/// <summary>An entry of a file that was not loaded, and why (for example a model priced per image only).</summary>
public sealed record SkippedCatalogEntry(string Id, string Reason);

/// <summary>What one file contributed to a catalog.</summary>
public sealed record CatalogFileReport
{
    public required string File { get; init; }

    public required CatalogFormat Format { get; init; }

    /// <summary>Entries read from this file (including those that replaced an entry of an earlier file).</summary>
    public required int Loaded { get; init; }

    /// <summary>Of <see cref="Loaded"/>, how many replaced an entry with the same id from an earlier file.</summary>
    public required int Overrides { get; init; }

    public required IReadOnlyList<SkippedCatalogEntry> Skipped { get; init; }

    /// <summary>The file's <c>prices_as_of</c> date, when it has one.</summary>
    public DateOnly? PricesAsOf { get; init; }
}

/// <summary>Per file, what was loaded and what was skipped; files in layering order.</summary>
public sealed record CatalogLoadReport(IReadOnlyList<CatalogFileReport> Files)
{
    public static CatalogLoadReport Empty { get; } = new([]);

    public int Loaded => this.Files.Sum(f => f.Loaded);

    public int Skipped => this.Files.Sum(f => f.Skipped.Count);

    /// <summary>Skipped entries counted by reason, across files (the report's summary view).</summary>
    public IReadOnlyDictionary<string, int> SkippedByReason =>
        this.Files.SelectMany(f => f.Skipped).GroupBy(s => s.Reason, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
