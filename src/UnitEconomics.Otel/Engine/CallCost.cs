using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// One priced call as the sinks see it: the normalized call, its cost and its attribution. A ref struct
/// over the engine's own locals, so handing a call to every sink copies nothing; sinks read it during
/// <see cref="ICostSink.OnCall"/> and keep what they need (<see cref="ToRecord"/> copies it all).
/// <see cref="Labels"/> and <see cref="TenantLabels"/> are handles a sink can keep its per-series state on.
/// </summary>
public readonly ref struct CallCost
{
    public readonly ref readonly GenAiCall Call;

    public readonly ref readonly CostBreakdown Cost;

    /// <summary>Provider, model, operation, use case, tier and cache, as the engine resolved them.</summary>
    public readonly CallLabelSet Labels;

    /// <summary>Tenant (as a label) and tier.</summary>
    public readonly TenantLabelSet TenantLabels;

    /// <summary>A completion made outside any agent task: the baseline of the agent multiplier.</summary>
    public readonly bool IsSingleShot;

    public CallCost(ref readonly GenAiCall call, ref readonly CostBreakdown cost, CallLabelSet labels, TenantLabelSet tenantLabels, bool isSingleShot)
    {
        this.Call = ref call;
        this.Cost = ref cost;
        this.Labels = labels;
        this.TenantLabels = tenantLabels;
        this.IsSingleShot = isSingleShot;
    }

    /// <summary>The tenant as a label: the tenant id, or <c>__other__</c> past the tenant cap.</summary>
    public string TenantLabel => this.TenantLabels.Tenant;

    public string Tier => this.TenantLabels.Tier;

    public string CacheLabel => this.Labels.CacheLabel;

    /// <summary>A copy that outlives the call to the sink.</summary>
    public CallCostRecord ToRecord() => new(this.Call, this.Cost, this.TenantLabel, this.Tier, this.IsSingleShot);
}

/// <summary>A <see cref="CallCost"/> copied, for sinks that keep calls (buffers, tests).</summary>
public sealed record CallCostRecord(GenAiCall Call, CostBreakdown Cost, string TenantLabel, string Tier, bool IsSingleShot);

/// <summary>An agent task closed: the rollup of every priced call under its root.</summary>
public readonly record struct AgentTaskSummary(
    System.Diagnostics.ActivityTraceId TraceId,
    System.Diagnostics.ActivitySpanId RootSpanId,
    string Agent,
    string TenantLabel,
    string Tier,
    string UseCase,
    string Outcome,
    decimal CostUsd,
    int ModelCalls,
    int ToolCalls,
    int FailedCalls,
    long Tokens,
    DateTime StartUtc,
    DateTime EndUtc,
    bool ClosedByTimeout);

/// <summary>What a budget limits.</summary>
public enum BudgetScope : byte
{
    Task,
    Session,
    Tenant,
}

/// <summary>A budget went over its limit (raised once per task, session, or tenant and month).</summary>
public readonly record struct BudgetExceeded(BudgetScope Scope, string Key, string TenantLabel, string Tier, string UseCase, decimal Limit, decimal Used)
{
    public string ScopeLabel => this.Scope switch
    {
        BudgetScope.Task => "task",
        BudgetScope.Session => "session",
        _ => "tenant",
    };
}

/// <summary>
/// Receives what the engine computes. Called on the thread that ended the span: implementations must
/// be thread-safe, cheap and must not throw (the engine contains exceptions, but a throwing sink loses
/// the rest of that span's metrics for itself).
/// </summary>
public interface ICostSink
{
    void OnCall(in CallCost call);

    void OnUnpriced(in GenAiCall call);

    void OnAgentTask(in AgentTaskSummary task);

    void OnBudgetExceeded(in BudgetExceeded exceeded);

    void OnRejected(RejectReason reason);

    void OnTenantOverflow();

    /// <summary>
    /// Called once by each engine the sink is given to, when it is built. A sink read on a schedule of
    /// its own (a scrape) keeps the engine, to have it price pending spans first (<see cref="CostEngine.PricePending"/>).
    /// </summary>
    void OnAttached(CostEngine engine)
    {
    }
}

/// <summary>Spans that ended and wait for a pricing thread.</summary>
internal interface IPendingSpans
{
    /// <summary>Prices them now, on the calling thread, in the order they ended.</summary>
    void PricePending();
}
