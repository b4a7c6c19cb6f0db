using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Pricing;

/// <summary>How a call is priced, by its kind (DESIGN §3–4).</summary>
public enum PricingRule : byte
{
    /// <summary>Not priced: not a call that costs anything the catalog knows (a <c>create_agent</c>, say).</summary>
    None,

    /// <summary>The app's own semantic-cache lookup, no model called: free, but counted.</summary>
    CacheLookup,

    /// <summary>By the catalog entry of its model (tokens, and a per-call price where the entry has one).</summary>
    ByModel,

    /// <summary>A per-call operation (retrieval, rerank): by its model's entry, else its provider's.</summary>
    ByModelOrProvider,

    /// <summary>A tool call: free unless the catalog has an entry named for the tool.</summary>
    ByTool,
}

/// <summary>
/// The one place a call becomes money: which rule prices it, which catalog entry answers (the entry in
/// force when the call ended: price history), and tokens times prices. The engine prices every span
/// through it (with its label sets caching the entry lookup); the report's what-ifs and the budget
/// middleware's worst case ask it too, so nothing outside prices with rules of its own.
/// </summary>
public static class CallPricer
{
    /// <summary>The rule for <paramref name="call"/>; an agent span with totals of its own is priced by model.</summary>
    public static PricingRule RuleFor(in GenAiCall call)
    {
        switch (call.Kind)
        {
            case OperationKind.Inference:
            case OperationKind.Other when call.HasTokens || call.HasReportedCost || call.Cache != CacheLookup.None:
                return call.Cache != CacheLookup.None && !call.HasTokens && !call.HasReportedCost ? PricingRule.CacheLookup : PricingRule.ByModel;
            case OperationKind.PerCall:
                return PricingRule.ByModelOrProvider;
            case OperationKind.Tool:
                return call.ToolName is null ? PricingRule.None : PricingRule.ByTool;
            case OperationKind.Agent when call.HasTokens || call.HasReportedCost:
                // A remote agent whose inside is not traced: its own totals (the engine skips it when it saw
                // inference below it, which would count the tokens twice).
                return PricingRule.ByModel;
            default:
                return PricingRule.None;
        }
    }

    /// <summary>The name whose catalog entry prices a call of rule <paramref name="rule"/>.</summary>
    public static string? EntryName(in GenAiCall call, PricingRule rule) => rule switch
    {
        PricingRule.ByModel => call.Model,
        PricingRule.ByModelOrProvider => call.Model != SpanNormalizer.Unknown ? call.Model : call.Provider,
        PricingRule.ByTool => call.ToolName,
        _ => null,
    };

    /// <summary>
    /// What <paramref name="call"/> costs by <paramref name="catalog"/>: <see cref="CostBreakdown.Unpriced"/>
    /// when no entry answers and the span reported no cost, <see cref="CostBreakdown.Free"/> for a cache lookup.
    /// </summary>
    public static CostBreakdown Price(PriceCatalog catalog, in GenAiCall call)
    {
        var rule = RuleFor(call);
        if (rule == PricingRule.CacheLookup)
        {
            return CostBreakdown.Free;
        }

        if (EntryName(call, rule) is not { } name)
        {
            return CostBreakdown.Unpriced;
        }

        var ranked = catalog.Ranking(ProviderOrNull(call.Provider), name);
        return Price(call, ranked);
    }

    /// <summary>Prices a call by its entry's ranking (all the entries answering to its name, best first).</summary>
    internal static CostBreakdown Price(in GenAiCall call, ModelPrice[] ranked) =>
        CostCalculator.Calculate(call, PriceCatalog.InForceAt(ranked, call.EndTimeUtc));

    /// <summary>The provider as the catalog takes it: null for <c>unknown</c> (any provider's entry may answer).</summary>
    internal static string? ProviderOrNull(string provider) => provider == SpanNormalizer.Unknown ? null : provider;
}
