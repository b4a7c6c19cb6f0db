namespace UnitEconomics.Cli.Reporting;

/// <summary>The weekly unit-economics report: what finance reads and what the alerts stand on.</summary>
public sealed record UnitEconomicsReport
{
    public required string Source { get; init; }

    public required DateTime FromUtc { get; init; }

    public required DateTime ToUtc { get; init; }

    public required double WindowDays { get; init; }

    public required decimal TotalCost { get; init; }

    public required IReadOnlyList<TierRow> Tiers { get; init; }

    public required IReadOnlyList<UseCaseRow> UseCases { get; init; }

    public required IReadOnlyList<ModelRow> Models { get; init; }

    public required IReadOnlyList<TenantRow> TopTenants { get; init; }

    public required IReadOnlyList<AgentRow> Agents { get; init; }

    public required IReadOnlyList<RedFlag> RedFlags { get; init; }

    public required IReadOnlyList<Saving> Savings { get; init; }

    /// <summary>Every tenant's cost, for reconciliation (the table shows the top ones).</summary>
    public required IReadOnlyList<TenantRow> AllTenants { get; init; }
}

/// <summary>
/// A tier's margin per customer per month: AI cost in the window scaled to a month, plus the tier's
/// infrastructure cost, per customer, against revenue per customer.
/// </summary>
public sealed record TierRow(
    string Tier,
    bool IsFree,
    int Customers,
    decimal AiCost,
    decimal AiCostPerCustomerPerMonth,
    decimal InfraCostPerCustomerPerMonth,
    decimal CostPerCustomerPerMonth,
    decimal RevenuePerCustomerPerMonth,
    decimal MarginPerCustomerPerMonth,
    double? MarginPercent);

public sealed record UseCaseRow(string UseCase, decimal Cost, double ShareOfSpend, long Requests, decimal CostPerRequest, long CacheHits, double CacheHitRate);

public sealed record ModelRow(string Provider, string Model, decimal Cost, long Requests, long InputTokens, long CacheReadTokens, long CacheWriteTokens, long OutputTokens, long ReasoningTokens);

public sealed record TenantRow(string Tenant, string Tier, decimal Cost, long Requests, decimal CostPerMonth, decimal RevenuePerMonth, decimal AiMarginPerMonth, double Engagement);

public sealed record AgentRow(string UseCase, long Tasks, decimal MeanTaskCost, double MeanModelCalls, double MeanTokens, long SingleShots, decimal MeanSingleShotCost, double? Multiplier);

/// <summary>A red flag with the figure that raised it; <see cref="Alert"/> is the Prometheus alert that watches the same thing.</summary>
public sealed record RedFlag(string Alert, string Severity, string Subject, string Detail, double Value, double Threshold);

/// <summary>A lever and what it would have saved over the window.</summary>
public sealed record Saving(string Lever, string Subject, decimal CurrentCost, decimal EstimatedSaving, double Percent, string How);
