using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Cli.Reporting;

/// <summary>Token counts by disjoint type, with the calls and money they came with.</summary>
public sealed class UsageTotals
{
    public decimal Cost { get; set; }

    public long Requests { get; set; }

    public long CacheHits { get; set; }

    public long InputTokens { get; set; }

    public long CacheReadTokens { get; set; }

    public long CacheWriteTokens { get; set; }

    public long OutputTokens { get; set; }

    public long ReasoningTokens { get; set; }

    public UsageTotals Clone() => (UsageTotals)this.MemberwiseClone();

    public void Add(in CallCost call)
    {
        var parts = call.Call.Parts;
        this.Cost += call.Cost.Total;
        this.Requests++;
        this.CacheHits += call.Call.CacheHit ? 1 : 0;
        this.InputTokens += parts.UncachedInput;
        this.CacheReadTokens += parts.CacheRead;
        this.CacheWriteTokens += parts.CacheWrite;
        this.OutputTokens += parts.Output;
        this.ReasoningTokens += parts.Reasoning;
    }
}

/// <summary>Agent tasks and single-shot calls of a use case: the two sides of the agent multiplier.</summary>
public sealed class AgentTotals
{
    public long Tasks { get; set; }

    public decimal TaskCost { get; set; }

    public long TaskModelCalls { get; set; }

    public long TaskTokens { get; set; }

    public long SingleShots { get; set; }

    public decimal SingleShotCost { get; set; }
}

/// <summary>
/// The in-process rollup behind the demo's report: everything the engine reports, summed by tenant,
/// tier, use case, model and day. One lock: it is a reporting sink, not the metrics hot path.
/// </summary>
public sealed class CostRollup : ICostSink
{
    private readonly Lock gate = new();

    public Dictionary<string, TenantTotals> Tenants { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, UsageTotals> UseCases { get; } = new(StringComparer.Ordinal);

    /// <summary>By (provider, model).</summary>
    public Dictionary<(string Provider, string Model), UsageTotals> Models { get; } = [];

    /// <summary>By (use case, provider, model): what routing and batch savings are computed from.</summary>
    public Dictionary<(string UseCase, string Provider, string Model), UsageTotals> UseCaseModels { get; } = [];

    public Dictionary<string, AgentTotals> Agents { get; } = new(StringComparer.Ordinal);

    /// <summary>Cost by (tier, UTC day).</summary>
    public Dictionary<(string Tier, DateTime Day), decimal> TierDays { get; } = [];

    public Dictionary<(string Provider, string Model), long> Unpriced { get; } = [];

    public Dictionary<string, long> BudgetsExceeded { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, long> Rejected { get; } = new(StringComparer.Ordinal);

    public long TenantOverflows { get; private set; }

    public DateTime? FirstUtc { get; private set; }

    public DateTime? LastUtc { get; private set; }

    public decimal TotalCost { get; private set; }

    public void OnCall(in CallCost call)
    {
        lock (this.gate)
        {
            var c = call.Call;
            this.TotalCost += call.Cost.Total;
            var tenant = this.Tenants.GetOrNew(call.TenantLabel);
            tenant.Tier = call.Tier;
            tenant.Cost += call.Cost.Total;
            tenant.Requests++;
            this.UseCases.GetOrNew(c.UseCase).Add(call);
            this.Models.GetOrNew((c.Provider, c.Model)).Add(call);
            this.UseCaseModels.GetOrNew((c.UseCase, c.Provider, c.Model)).Add(call);
            var day = (call.Tier, c.EndTimeUtc.Date);
            this.TierDays[day] = this.TierDays.GetValueOrDefault(day) + call.Cost.Total;
            if (call.IsSingleShot)
            {
                var agents = this.Agents.GetOrNew(c.UseCase);
                agents.SingleShots++;
                agents.SingleShotCost += call.Cost.Total;
            }

            this.FirstUtc = this.FirstUtc is { } first && first <= c.EndTimeUtc ? first : c.EndTimeUtc;
            this.LastUtc = this.LastUtc is { } last && last >= c.EndTimeUtc ? last : c.EndTimeUtc;
        }
    }

    public void OnAgentTask(in AgentTaskSummary task)
    {
        lock (this.gate)
        {
            var agents = this.Agents.GetOrNew(task.UseCase);
            agents.Tasks++;
            agents.TaskCost += task.CostUsd;
            agents.TaskModelCalls += task.ModelCalls;
            agents.TaskTokens += task.Tokens;
        }
    }

    public void OnUnpriced(in GenAiCall call)
    {
        lock (this.gate)
        {
            var key = (call.Provider, call.Model);
            this.Unpriced[key] = this.Unpriced.GetValueOrDefault(key) + 1;
        }
    }

    public void OnBudgetExceeded(in BudgetExceeded exceeded)
    {
        lock (this.gate)
        {
            this.BudgetsExceeded[exceeded.ScopeLabel] = this.BudgetsExceeded.GetValueOrDefault(exceeded.ScopeLabel) + 1;
        }
    }

    public void OnRejected(RejectReason reason)
    {
        lock (this.gate)
        {
            var key = reason.ToLabel();
            this.Rejected[key] = this.Rejected.GetValueOrDefault(key) + 1;
        }
    }

    public void OnTenantOverflow()
    {
        lock (this.gate)
        {
            this.TenantOverflows++;
        }
    }

    /// <summary>Runs <paramref name="read"/> under the lock, so a report sees one consistent state.</summary>
    public T Read<T>(Func<CostRollup, T> read)
    {
        lock (this.gate)
        {
            return read(this);
        }
    }
}

/// <summary>A tenant's spend in the window.</summary>
public sealed class TenantTotals
{
    public string Tier { get; set; } = string.Empty;

    public decimal Cost { get; set; }

    public long Requests { get; set; }
}
