using System.Text.Json.Serialization;
using UnitEconomics.Books.Reconciliation;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// The weekly unit-economics report: what finance reads and what the alerts stand on. Every figure is
/// defined in docs/report.md; the JSON form is this record in snake_case (schema there too).
/// </summary>
public sealed record UnitEconomicsReport
{
    /// <summary>The version of the JSON shape; raised when a field changes meaning or goes.</summary>
    public int SchemaVersion { get; init; } = 3;

    public required string Source { get; init; }

    /// <summary>Revenue from the billing source, when the tenant file names one (RevenueSection.cs).</summary>
    public RevenueSection? Revenue { get; init; }

    public required DateTime FromUtc { get; init; }

    public required DateTime ToUtc { get; init; }

    public required double WindowDays { get; init; }

    /// <summary>
    /// Whether the window is long enough (7 days by default) for costs to be scaled to a 30-day month; when
    /// false, every per-month cost and margin is left empty rather than extrapolated from a short run.
    /// </summary>
    public required bool MonthlyFigures { get; init; }

    /// <summary>USD of every priced call in the window (unpriced calls are counted, not costed).</summary>
    public required decimal TotalCost { get; init; }

    /// <summary>Calls to models with no price: their cost is unknown and not in <see cref="TotalCost"/>.</summary>
    public required long UnpricedCalls { get; init; }

    public required IReadOnlyList<TierRow> Tiers { get; init; }

    public required IReadOnlyList<UseCaseRow> UseCases { get; init; }

    public required IReadOnlyList<ModelRow> Models { get; init; }

    public required IReadOnlyList<TenantRow> TopTenants { get; init; }

    public required IReadOnlyList<AgentRow> Agents { get; init; }

    /// <summary>Cost per user request by (use case, shape); added in schema 3, empty when read from an older report.</summary>
    public IReadOnlyList<UserRequestRow> UserRequests { get; init; } = [];

    /// <summary>Cost per RAG query by use case: the <see cref="UserRequests"/> of shape <c>rag</c>, named for the seed's figure.</summary>
    public IReadOnlyList<RagQueryRow> RagQueries { get; init; } = [];

    public required IReadOnlyList<RedFlag> RedFlags { get; init; }

    /// <summary>What the levers could still save, applied in order, each on what the one before left.</summary>
    public required IReadOnlyList<Saving> Savings { get; init; }

    /// <summary>What the levers already in use saved in the window.</summary>
    public required IReadOnlyList<RealisedSaving> RealisedSavings { get; init; }

    /// <summary>Every tenant's cost, for reconciliation (the table shows the top ones).</summary>
    public required IReadOnlyList<TenantRow> AllTenants { get; init; }

    /// <summary>The providers' bills against the estimates over the window's whole UTC days, when bills were given (docs/reconciliation.md).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ReconciliationResult? Reconciliation { get; init; }
}

/// <summary>
/// A tier's margin per customer per month: AI cost in the window scaled to 30 days, plus the tier's
/// infrastructure cost, per customer, against revenue per customer. The scaled figures are null when the
/// window is too short to stand for a month (<see cref="UnitEconomicsReport.MonthlyFigures"/>).
/// </summary>
public sealed record TierRow(
    string Tier,
    bool IsFree,
    int Customers,
    decimal AiCost,
    decimal? AiCostPerCustomerPerMonth,
    decimal InfraCostPerCustomerPerMonth,
    decimal? CostPerCustomerPerMonth,
    decimal RevenuePerCustomerPerMonth,
    decimal? MarginPerCustomerPerMonth,
    double? MarginPercent);

/// <summary>
/// A use case's calls. <see cref="CacheHitRate"/> = hits ÷ semantic-cache lookups (null without lookups);
/// <see cref="PromptCacheReadShare"/> = cache-read input tokens ÷ all input tokens (null without input).
/// </summary>
public sealed record UseCaseRow(
    string UseCase,
    decimal Cost,
    double ShareOfSpend,
    long Calls,
    long UnpricedCalls,
    decimal CostPerCall,
    long CacheLookups,
    long CacheHits,
    double? CacheHitRate,
    double? PromptCacheReadShare);

/// <summary>
/// A model's calls and tokens by disjoint type: <see cref="UncachedInputTokens"/> excludes cache reads and
/// writes, <see cref="OutputTokens"/> excludes reasoning. <see cref="Cost"/> is null when the model has no price.
/// </summary>
public sealed record ModelRow(
    string Provider,
    string Model,
    decimal? Cost,
    long Calls,
    long UnpricedCalls,
    long UncachedInputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long OutputTokens,
    long ReasoningTokens,
    double? PromptCacheReadShare);

/// <summary>A tenant's cost in the window; the per-month figures are null when the window is too short to stand for a month.</summary>
/// <param name="InfraPerMonth">The tenant's infrastructure cost per month: its own share from the cloud bill, else an equal share of its tier's (null for a tenant not in the directory).</param>
/// <param name="MarginPerMonth">Revenue − AI cost per month − infra per month; null where either is unknown.</param>
public sealed record TenantRow(string Tenant, string Tier, decimal Cost, long Calls, decimal? CostPerMonth, decimal RevenuePerMonth, decimal? AiMarginPerMonth, double Engagement,
    decimal? InfraPerMonth = null, decimal? MarginPerMonth = null);

public sealed record AgentRow(string UseCase, long Tasks, decimal MeanTaskCost, double MeanModelCalls, double MeanTokens, long SingleShots, decimal MeanSingleShotCost, double? Multiplier);

/// <summary>A red flag with the figure that raised it; <see cref="Alert"/> is the Prometheus alert that watches the same thing.</summary>
public sealed record RedFlag(string Alert, string Severity, string Subject, string Detail, double Value, double Threshold);

/// <summary>
/// A lever and what it could save over the window on <see cref="BaseCost"/>, what the levers before it in
/// the same use case left. <see cref="Assumption"/> says which figure was assumed rather than observed.
/// </summary>
public sealed record Saving(string Lever, string UseCase, decimal BaseCost, decimal EstimatedSaving, double Percent, string How, string? Assumption);

/// <summary>What a lever already in use saved in the window, against list prices without it.</summary>
public sealed record RealisedSaving(string Lever, string UseCase, decimal Saving, string How);
