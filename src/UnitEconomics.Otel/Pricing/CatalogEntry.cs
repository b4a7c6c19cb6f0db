using System.Text.RegularExpressions;

namespace UnitEconomics.Otel.Pricing;

/// <summary>A loaded entry: its prices and the names it answers to.</summary>
internal sealed class CatalogEntry
{
    public required ModelPrice Price { get; init; }

    /// <summary>Names matched case-insensitively as a whole.</summary>
    public IReadOnlyList<string> Exact { get; init; } = [];

    /// <summary>
    /// Names that match only when the caller's provider is the entry's provider: the bare model of an id
    /// such as <c>azure/gpt-4o</c>, which must not capture <c>gpt-4o</c> called through another provider.
    /// </summary>
    public IReadOnlyList<string> ProviderNames { get; init; } = [];

    public IReadOnlyList<string> Prefixes { get; init; } = [];

    public IReadOnlyList<Regex> Patterns { get; init; } = [];

    /// <summary>Position of the file in the layering (0 = first loaded).</summary>
    public int Layer { get; set; }

    /// <summary>Position in the catalog after layering; regexes are tried in this order.</summary>
    public int Order { get; set; }

    public string Id => this.Price.Id;

    public string File => this.Price.CatalogFile ?? "(in memory)";
}
