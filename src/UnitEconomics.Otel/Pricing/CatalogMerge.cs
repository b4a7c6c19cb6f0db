namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// How a later catalog file changes an entry an earlier one defined (same id): field by field. A price
/// the later file sets wins; one it leaves unset keeps the earlier file's value. So a LiteLLM layer that
/// knows only list prices keeps the default catalog's batch price, and a negotiated-price file can give
/// just the one price that was negotiated.
/// </summary>
/// <remarks>
/// Context tiers are replaced as a whole when the later entry has any (a tier table is one price
/// schedule, not separate fields). The validity period is the later entry's when it gives either bound.
/// The names an entry answers to are the union of both, so a dated or prefixed name the earlier file
/// resolved still resolves. <see cref="ModelPrice.FieldFiles"/> records every price kept from an earlier file.
/// </remarks>
internal static class CatalogMerge
{
    public static CatalogEntry Over(CatalogEntry later, CatalogEntry earlier)
    {
        var top = later.Price;
        var bottom = earlier.Price;
        var kept = new List<(string Field, string File)>(bottom.FieldFiles.Where(f => !Sets(top, f.Field)));
        var bottomFile = bottom.CatalogFile ?? "(in memory)";
        Keep(kept, "input", top.Standard.Input, bottom.Standard.Input, bottomFile);
        Keep(kept, "cached_input", top.Standard.CachedInput, bottom.Standard.CachedInput, bottomFile);
        Keep(kept, "cache_write", top.Standard.CacheWrite, bottom.Standard.CacheWrite, bottomFile);
        Keep(kept, "output", top.Standard.Output, bottom.Standard.Output, bottomFile);
        Keep(kept, "reasoning", top.Standard.Reasoning, bottom.Standard.Reasoning, bottomFile);
        Keep(kept, "per_call", top.Standard.PerCall, bottom.Standard.PerCall, bottomFile);
        if (top.Batch is null && bottom.Batch is not null)
        {
            kept.Add(("batch", bottomFile));
        }

        if (top.Tiers.Count == 0 && bottom.Tiers.Count > 0)
        {
            kept.Add(("tiers", bottomFile));
        }

        var datesFromTop = top.EffectiveFrom is not null || top.EffectiveTo is not null;
        var price = top with
        {
            Provider = top.Provider ?? bottom.Provider,
            Standard = top.Standard.Over(bottom.Standard),
            Batch = top.Batch is { } batch ? batch.Over(bottom.Batch ?? PriceSet.Empty) : bottom.Batch,
            Tiers = top.Tiers.Count > 0 ? top.Tiers : bottom.Tiers,
            EffectiveFrom = datesFromTop ? top.EffectiveFrom : bottom.EffectiveFrom,
            EffectiveTo = datesFromTop ? top.EffectiveTo : bottom.EffectiveTo,
            Source = top.Source ?? bottom.Source,
            FieldFiles = [.. kept.DistinctBy(k => k.Field, StringComparer.Ordinal)],
        };
        return new CatalogEntry
        {
            Price = price,
            Exact = Union(later.Exact, earlier.Exact),
            ProviderNames = Union(later.ProviderNames, earlier.ProviderNames),
            Prefixes = Union(later.Prefixes, earlier.Prefixes),
            Patterns = [.. later.Patterns, .. earlier.Patterns.Where(p => later.Patterns.All(l => l.ToString() != p.ToString()))],
            Layer = later.Layer,
        };
    }

    private static void Keep(List<(string Field, string File)> kept, string field, decimal? top, decimal? bottom, string bottomFile)
    {
        if (top is null && bottom is not null && kept.All(k => k.Field != field))
        {
            kept.Add((field, bottomFile));
        }
    }

    private static bool Sets(ModelPrice price, string field) => field switch
    {
        "input" => price.Standard.Input is not null,
        "cached_input" => price.Standard.CachedInput is not null,
        "cache_write" => price.Standard.CacheWrite is not null,
        "output" => price.Standard.Output is not null,
        "reasoning" => price.Standard.Reasoning is not null,
        "per_call" => price.Standard.PerCall is not null,
        "batch" => price.Batch is not null,
        "tiers" => price.Tiers.Count > 0,
        _ => false,
    };

    private static string[] Union(IReadOnlyList<string> first, IReadOnlyList<string> second) =>
        [.. first.Concat(second).Distinct(StringComparer.OrdinalIgnoreCase)];
}
