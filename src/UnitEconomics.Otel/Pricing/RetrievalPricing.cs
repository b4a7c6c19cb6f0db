using System.Runtime.CompilerServices;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// Which catalog entry prices a <c>retrieval</c> span (DESIGN §3): the one named by its
/// <c>gen_ai.data_source.id</c> when the catalog has it, else its model when it names one, else the
/// default <c>vector-search</c>. The entry becomes the call's <c>model</c> label, so only data sources
/// the catalog prices become label values: a producer's many index names cannot multiply series.
/// </summary>
public static class RetrievalPricing
{
    /// <summary>The entry for a retrieval span naming neither a priced data source nor a model.</summary>
    public const string DefaultEntry = "vector-search";

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static string EntryFor(in GenAiCall call, PriceCatalog catalog, SpanNormalizer normalizer)
    {
        if (call.DataSourceId is { Length: > 0 } source)
        {
            var label = normalizer.Label(source);
            if (catalog.Ranking(call.Provider == SpanNormalizer.Unknown ? null : call.Provider, label).Length > 0)
            {
                return label;
            }
        }

        return call.Model != SpanNormalizer.Unknown ? call.Model : DefaultEntry;
    }
}
