using System.Text.Json.Serialization;
using UnitEconomics.Books.ProviderBills;

namespace UnitEconomics.Books.Reconciliation;

/// <summary>
/// What the engine estimated for one provider, model and UTC day: its cost, and the tokens its spans
/// carried in the bill's token types (uncached input, cache read, cache write, output with reasoning).
/// </summary>
public sealed record EstimatedUsage(string Provider, DateTime Day, string Model, decimal CostUsd, TokenCounts Tokens);

/// <summary>How a row of the bill compares with the estimate (in JSON, snake_case whatever the serializer's options).</summary>
public enum Verdict
{
    /// <summary>Tokens and cost both within the tolerance.</summary>
    [JsonStringEnumMemberName("matched")]
    Matched,

    /// <summary>Tokens within the tolerance, cost not: the catalog's price for the model is not what the provider charged.</summary>
    [JsonStringEnumMemberName("price_drift")]
    PriceDrift,

    /// <summary>Traced tokens differ from billed tokens by more than the tolerance: calls that were not traced (or were sampled away).</summary>
    [JsonStringEnumMemberName("coverage_gap")]
    CoverageGap,

    /// <summary>The bill has spend or tokens and nothing was traced for it.</summary>
    [JsonStringEnumMemberName("bill_only")]
    BillOnly,

    /// <summary>Spans were priced and the bill has nothing for them.</summary>
    [JsonStringEnumMemberName("estimate_only")]
    EstimateOnly,
}

/// <summary>One provider × UTC day × model of the reconciliation (model <c>*</c> when the bill's costs of the day name no model).</summary>
public sealed record ReconciliationRow
{
    public required string Provider { get; init; }

    public required DateTime Day { get; init; }

    /// <summary>The catalog entry the names resolve to, or the name itself when no entry answers to it.</summary>
    public required string Model { get; init; }

    /// <summary>The names the bill and the spans used for it (dated and prefixed forms), comma-separated.</summary>
    public required string Names { get; init; }

    public required decimal BilledUsd { get; init; }

    public required decimal EstimatedUsd { get; init; }

    /// <summary>Estimated ÷ billed cost; null when nothing was billed.</summary>
    public double? CostRatio { get; init; }

    public required TokenCounts BilledTokens { get; init; }

    public required TokenCounts TracedTokens { get; init; }

    /// <summary>Traced ÷ billed tokens, all types together; null when the bill has no tokens for the row.</summary>
    public double? Coverage { get; init; }

    public required Verdict Verdict { get; init; }

    /// <summary>The verdict's cause in words, with its figure (the untraced share, the price gap, the model to fix).</summary>
    public required string Note { get; init; }
}

/// <summary>One provider over the whole window: the figures the <c>ai_billing_*</c> gauges carry.</summary>
public sealed record ProviderReconciliation
{
    public required string Provider { get; init; }

    public required decimal BilledUsd { get; init; }

    public required decimal EstimatedUsd { get; init; }

    /// <summary>Estimated ÷ billed cost over the window (1 is a perfect estimate); null when nothing was billed.</summary>
    public double? EstimateRatio { get; init; }

    public required TokenCounts BilledTokens { get; init; }

    public required TokenCounts TracedTokens { get; init; }

    /// <summary>Traced ÷ billed tokens per token type over the window; a type the bill has no tokens of is absent.</summary>
    public required IReadOnlyDictionary<string, double> Coverage { get; init; }

    /// <summary>The end (exclusive) of the window the provider's bill was read and reconciled for.</summary>
    public DateTime? ReconciledUntil { get; init; }

    public required IReadOnlyDictionary<Verdict, int> Verdicts { get; init; }
}

/// <summary>A reconciliation: its window, tolerance and source, each provider's totals, and every row.</summary>
public sealed record ReconciliationResult
{
    public required DateTime FromUtc { get; init; }

    public required DateTime ToUtc { get; init; }

    public required double Tolerance { get; init; }

    public required string EstimateSource { get; init; }

    public required IReadOnlyList<ProviderReconciliation> Providers { get; init; }

    public required IReadOnlyList<ReconciliationRow> Rows { get; init; }
}
