using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Requests;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// Calls of one key (use case, model, ...) with the money and the tokens by disjoint type (DESIGN §3:
/// <see cref="InputTokens"/> is uncached input, <see cref="OutputTokens"/> plain output without reasoning).
/// A call is one recorded span: a model call, a per-call service (vector search, rerank), a paid tool,
/// or the app's own semantic-cache lookup.
/// </summary>
public sealed class UsageTotals
{
    /// <summary>USD of the priced calls.</summary>
    public decimal Cost { get; set; }

    /// <summary>Priced calls (those in <c>ai_requests_total</c>).</summary>
    public long Calls { get; set; }

    /// <summary>Calls to a model the catalog has no price for: their cost is unknown, not zero.</summary>
    public long UnpricedCalls { get; set; }

    /// <summary>Semantic-cache lookups: calls labelled <c>cache="hit"</c> or <c>cache="miss"</c>.</summary>
    public long CacheLookups { get; set; }

    public long CacheHits { get; set; }

    public long InputTokens { get; set; }

    public long CacheReadTokens { get; set; }

    public long CacheWriteTokens { get; set; }

    public long OutputTokens { get; set; }

    public long ReasoningTokens { get; set; }

    /// <summary>All input tokens, cached and cache-write included: the denominator of the prompt-cache read share.</summary>
    public long AllInputTokens => this.InputTokens + this.CacheReadTokens + this.CacheWriteTokens;

    /// <summary>The calls among these that the routing rule calls simple (in-process rollup only; null from Prometheus).</summary>
    public UsageTotals? Simple { get; set; }

    /// <summary>The calls among these sent through a batch API (in-process rollup only).</summary>
    public UsageTotals? Batch { get; set; }

    public UsageTotals Clone()
    {
        var copy = (UsageTotals)this.MemberwiseClone();
        copy.Simple = this.Simple?.Clone();
        copy.Batch = this.Batch?.Clone();
        return copy;
    }

    public void Add(in CallCost call)
    {
        var parts = call.Call.Parts;
        this.Cost += call.Cost.Total;
        this.Calls++;
        this.CacheLookups += call.Call.Cache != CacheLookup.None ? 1 : 0;
        this.CacheHits += call.Call.CacheHit ? 1 : 0;
        this.InputTokens += parts.UncachedInput;
        this.CacheReadTokens += parts.CacheRead;
        this.CacheWriteTokens += parts.CacheWrite;
        this.OutputTokens += parts.Output;
        this.ReasoningTokens += parts.Reasoning;
    }
}

/// <summary>
/// Which calls model routing may move to a cheaper model (the report's savings): single-shot completions
/// (no agent task, so no tool loop) whose input, cached and cache-write included, is at most
/// <see cref="MaxInputTokens"/> tokens. Documented in docs/report.md.
/// </summary>
public sealed record RoutingRule(long MaxInputTokens = 2_000)
{
    public bool IsSimple(in CallCost call) => call.IsSingleShot && call.Call.Parts.AllInput <= this.MaxInputTokens;
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
public sealed class CostRollup(RoutingRule? routing = null) : ICostSink
{
    /// <summary>The model key of the app's own semantic-cache lookup spans, which call no model.</summary>
    public static readonly (string Provider, string Model) CacheLookupKey = ("(semantic cache)", "(lookup: no model called)");

    private readonly Lock gate = new();
    private readonly RoutingRule routing = routing ?? new RoutingRule();

    public Dictionary<string, TenantTotals> Tenants { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, UsageTotals> UseCases { get; } = new(StringComparer.Ordinal);

    /// <summary>By (provider, model).</summary>
    public Dictionary<(string Provider, string Model), UsageTotals> Models { get; } = [];

    /// <summary>By (use case, provider, model): what routing and batch savings are computed from.</summary>
    public Dictionary<(string UseCase, string Provider, string Model), UsageTotals> UseCaseModels { get; } = [];

    public Dictionary<string, AgentTotals> Agents { get; } = new(StringComparer.Ordinal);

    /// <summary>User requests by (use case, shape): cost per user request and per RAG query.</summary>
    public Dictionary<(string UseCase, string Shape), RequestTotals> UserRequests { get; } = [];

    /// <summary>By (UTC day, provider, model): what provider bills are reconciled against.</summary>
    public Dictionary<(DateTime Day, string Provider, string Model), UsageTotals> ModelDays { get; } = [];

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
            tenant.Calls++;
            var model = IsLookupOnly(call) ? CacheLookupKey : (c.Provider, c.Model);
            this.UseCases.GetOrNew(c.UseCase).Add(call);
            this.Models.GetOrNew(model).Add(call);
            var useCaseModel = this.UseCaseModels.GetOrNew((c.UseCase, model.Provider, model.Model));
            useCaseModel.Add(call);
            if (this.routing.IsSimple(call))
            {
                (useCaseModel.Simple ??= new UsageTotals()).Add(call);
            }

            if (c.IsBatch)
            {
                (useCaseModel.Batch ??= new UsageTotals()).Add(call);
            }

            this.ModelDays.GetOrNew((c.EndTimeUtc.Date, c.Provider, c.Model)).Add(call);
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

    public void OnUserRequest(in UserRequestSummary request)
    {
        lock (this.gate)
        {
            var totals = this.UserRequests.GetOrNew((request.UseCase, request.Shape));
            totals.Requests++;
            totals.Cost += request.CostUsd;
        }
    }

    public void OnUnpriced(in GenAiCall call)
    {
        lock (this.gate)
        {
            var key = (call.Provider, call.Model);
            this.Unpriced[key] = this.Unpriced.GetValueOrDefault(key) + 1;
            this.UseCases.GetOrNew(call.UseCase).UnpricedCalls++;
            this.Models.GetOrNew(key).UnpricedCalls++;
            this.UseCaseModels.GetOrNew((call.UseCase, call.Provider, call.Model)).UnpricedCalls++;
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

    /// <summary>The app's lookup span itself (no model, no tokens): shown as the semantic cache, not as an unknown model.</summary>
    public static bool IsLookupOnly(in CallCost call) =>
        call.Call.Cache != CacheLookup.None && call.Call.Kind == OperationKind.Other && !call.Call.HasTokens && !call.Call.HasReportedCost;

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

    /// <summary>Priced calls (<c>ai_tenant_requests_total</c>).</summary>
    public long Calls { get; set; }
}
