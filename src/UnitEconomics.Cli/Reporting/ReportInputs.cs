using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// What a report is computed from, whatever the source: the demo's in-process rollup or a live
/// Prometheus. Both fill the same shape, so every figure of the report is derived by one piece of code.
/// </summary>
public sealed class ReportInputs
{
    public required DateTime FromUtc { get; init; }

    public required DateTime ToUtc { get; init; }

    public required string Source { get; init; }

    /// <summary>Tiers, revenue and engagement (from the tenant file, or from the tenant gauges); replaced when a cloud bill sets the infra figures.</summary>
    public required TenantDirectory Directory { get; set; }

    public Dictionary<string, TenantTotals> Tenants { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The billing source's read, when the tenant file names one (RevenueSection.cs); Directory already carries its figures.</summary>
    public UnitEconomics.Books.Revenue.LoadedRevenue? Revenue { get; set; }

    public Dictionary<string, UsageTotals> UseCases { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<(string Provider, string Model), UsageTotals> Models { get; init; } = [];

    public Dictionary<(string UseCase, string Provider, string Model), UsageTotals> UseCaseModels { get; init; } = [];

    public Dictionary<string, AgentTotals> Agents { get; init; } = new(StringComparer.Ordinal);

    /// <summary>User requests by (use case, shape) (DESIGN §7a).</summary>
    public Dictionary<(string UseCase, string Shape), RequestTotals> UserRequests { get; init; } = [];

    /// <summary>Cost by tier in the last 7 days of the window.</summary>
    public Dictionary<string, decimal> TierCostLast7Days { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Cost by tier in the 7 days before those.</summary>
    public Dictionary<string, decimal> TierCostPrevious7Days { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<(string Provider, string Model), long> Unpriced { get; init; } = [];

    public Dictionary<string, long> BudgetsExceeded { get; init; } = new(StringComparer.Ordinal);

    public double WindowDays => Math.Max((this.ToUtc - this.FromUtc).TotalDays, 1e-9);

    /// <summary>The rollup's totals over [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), which must cover all its data.</summary>
    public static ReportInputs FromRollup(CostRollup rollup, TenantDirectory directory, DateTime fromUtc, DateTime toUtc, string source) =>
        rollup.Read(r =>
        {
            var inputs = new ReportInputs { FromUtc = fromUtc, ToUtc = toUtc, Source = source, Directory = directory };
            foreach (var (k, v) in r.Tenants)
            {
                inputs.Tenants[k] = new TenantTotals { Tier = v.Tier, Cost = v.Cost, Calls = v.Calls };
            }

            Copy(r.UseCases, inputs.UseCases);
            Copy(r.Models, inputs.Models);
            Copy(r.UseCaseModels, inputs.UseCaseModels);
            foreach (var (k, v) in r.Agents)
            {
                inputs.Agents[k] = new AgentTotals
                {
                    Tasks = v.Tasks, TaskCost = v.TaskCost, TaskModelCalls = v.TaskModelCalls, TaskTokens = v.TaskTokens,
                    SingleShots = v.SingleShots, SingleShotCost = v.SingleShotCost,
                };
            }

            foreach (var (k, v) in r.UserRequests)
            {
                inputs.UserRequests[k] = new RequestTotals { Requests = v.Requests, Cost = v.Cost };
            }

            var lastWeek = toUtc.AddDays(-7);
            var weekBefore = toUtc.AddDays(-14);
            foreach (var ((tier, day), cost) in r.TierDays)
            {
                if (day >= lastWeek)
                {
                    inputs.TierCostLast7Days[tier] = inputs.TierCostLast7Days.GetValueOrDefault(tier) + cost;
                }
                else if (day >= weekBefore)
                {
                    inputs.TierCostPrevious7Days[tier] = inputs.TierCostPrevious7Days.GetValueOrDefault(tier) + cost;
                }
            }

            foreach (var (k, v) in r.Unpriced)
            {
                inputs.Unpriced[k] = v;
            }

            foreach (var (k, v) in r.BudgetsExceeded)
            {
                inputs.BudgetsExceeded[k] = v;
            }

            return inputs;
        });

    private static void Copy<TKey>(Dictionary<TKey, UsageTotals> from, Dictionary<TKey, UsageTotals> to)
        where TKey : notnull
    {
        foreach (var (k, v) in from)
        {
            to[k] = v.Clone();
        }
    }
}
