using System.Diagnostics.CodeAnalysis;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// PLACEHOLDER (replaced by the catalog work): a set of priced entries resolved by model name.
/// The public surface below is the contract the engine uses.
/// </summary>
public sealed class PriceCatalog
{
    private readonly Dictionary<string, List<ModelPrice>> byName = new(StringComparer.OrdinalIgnoreCase);

    public PriceCatalog(IEnumerable<ModelPrice> entries)
    {
        this.Entries = [.. entries];
        foreach (var e in this.Entries)
        {
            if (!this.byName.TryGetValue(e.Id, out var list))
            {
                this.byName[e.Id] = list = [];
            }

            list.Add(e);
        }
    }

    public static PriceCatalog Empty { get; } = new([]);

    public static PriceCatalog Load(params string[] paths) => throw new NotSupportedException(string.Join(",", paths));

    public static PriceCatalog LoadDefaultAnd(params string[] paths) => throw new NotSupportedException(string.Join(",", paths));

    public IReadOnlyList<ModelPrice> Entries { get; }

    /// <summary>Finds the entry for <paramref name="model"/> in force at <paramref name="at"/>.</summary>
    public bool TryResolve(string? provider, string model, DateTimeOffset at, [NotNullWhen(true)] out ModelPrice? price)
    {
        _ = provider;
        price = null;
        if (this.byName.TryGetValue(model, out var list))
        {
            foreach (var e in list)
            {
                if (e.IsInForceAt(at))
                {
                    price = e;
                    return true;
                }
            }
        }

        return false;
    }
}
