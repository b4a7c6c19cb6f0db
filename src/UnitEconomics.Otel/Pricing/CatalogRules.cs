namespace UnitEconomics.Otel.Pricing;

/// <summary>Checks that need the whole file: two entries must never tie for the same name.</summary>
internal static class CatalogRules
{
    /// <summary>
    /// Within one file, two entries that match the same exact name or the same prefix for the same
    /// provider must not be in force at the same time: one would win by accident of order. Across files
    /// there is no tie, the later file wins (that is what layering is for). Regexes are tried in file order,
    /// so they cannot tie.
    /// </summary>
    public static void CheckAmbiguity(string file, IReadOnlyList<CatalogEntry> entries)
    {
        Check(file, entries, e => e.Exact, "exact name", e => e.Exact.Count == 1 && ReferenceEquals(e.Exact[0], e.Id) ? "id" : "match.exact");
        Check(file, entries, e => e.Prefixes, "prefix", _ => "match.prefix");
    }

    private static void Check(string file, IReadOnlyList<CatalogEntry> entries, Func<CatalogEntry, IReadOnlyList<string>> names, string what, Func<CatalogEntry, string> field)
    {
        var seen = new Dictionary<(string Name, string Provider), List<CatalogEntry>>();
        foreach (var entry in entries)
        {
            foreach (var name in names(entry))
            {
                var key = (name.ToUpperInvariant(), entry.Price.Provider?.ToUpperInvariant() ?? string.Empty);
                if (!seen.TryGetValue(key, out var earlier))
                {
                    seen[key] = earlier = [];
                }

                foreach (var other in earlier)
                {
                    if (other != entry && Overlap(other.Price, entry.Price))
                    {
                        throw Tie(file, entry, other, name, what, field(entry));
                    }
                }

                earlier.Add(entry);
            }
        }
    }

    private static CatalogValidationException Tie(string file, CatalogEntry entry, CatalogEntry other, string name, string what, string field)
    {
        var a = entry.Price;
        var b = other.Price;
        if (a.EffectiveFrom is null && a.EffectiveTo is null && b.EffectiveFrom is null && b.EffectiveTo is null)
        {
            return new CatalogValidationException(file, entry.Id, field,
                $"{what} '{name}' is also matched by entry '{other.Id}' with equal precedence; remove one, or give them different providers or non-overlapping effective_from/effective_to");
        }

        return new CatalogValidationException(file, entry.Id, a.EffectiveFrom is null ? "effective_to" : "effective_from",
            $"effective range {Range(a)} overlaps entry '{other.Id}' {Range(b)}, which also matches {what} '{name}'");
    }

    /// <summary>Half-open ranges [from, to) with null as unbounded.</summary>
    private static bool Overlap(ModelPrice a, ModelPrice b) =>
        (a.EffectiveFrom is null || b.EffectiveTo is null || a.EffectiveFrom < b.EffectiveTo)
        && (b.EffectiveFrom is null || a.EffectiveTo is null || b.EffectiveFrom < a.EffectiveTo);

    private static string Range(ModelPrice p) =>
        $"[{(p.EffectiveFrom is { } f ? NativeCatalogReader.Iso(f) : "always")}, {(p.EffectiveTo is { } t ? NativeCatalogReader.Iso(t) : "open")})";
}
