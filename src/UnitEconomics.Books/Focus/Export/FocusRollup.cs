using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;

namespace UnitEconomics.Books.Focus.Export;

/// <summary>
/// An in-process sink that keeps AI spend by UTC day, tenant, tier, provider, model, use case and cost
/// source: the full detail a FOCUS export can have (the Prometheus metrics split tenant from model). Used
/// by the demo; one lock, it is a reporting sink, not the metrics hot path.
/// </summary>
public sealed class FocusRollup : ICostSink
{
    private readonly Lock gate = new();
    private readonly Dictionary<Key, Totals> lines = [];

    public void OnCall(in CallCost call)
    {
        var c = call.Call;
        var parts = c.Parts;
        var key = new Key(c.EndTimeUtc.Date, call.TenantLabel, call.Tier, c.Provider, c.Model, c.UseCase, CostBreakdown.SourceLabel(call.Cost.Source));
        var tokens = new LineTokens(parts.UncachedInput, parts.CacheRead, parts.CacheWrite, parts.Output, parts.Reasoning);
        lock (this.gate)
        {
            if (!this.lines.TryGetValue(key, out var totals))
            {
                this.lines[key] = totals = new Totals();
            }

            totals.Cost += call.Cost.Total;
            totals.Requests++;
            totals.Tokens += tokens;
        }
    }

    public void OnUnpriced(in GenAiCall call)
    {
    }

    public void OnAgentTask(in AgentTaskSummary task)
    {
    }

    public void OnBudgetExceeded(in BudgetExceeded exceeded)
    {
    }

    public void OnRejected(RejectReason reason)
    {
    }

    public void OnTenantOverflow()
    {
    }

    /// <summary>The UTC days the rollup holds spend of: first and last; null when it holds none.</summary>
    public (DateTime First, DateTime Last)? Days
    {
        get
        {
            lock (this.gate)
            {
                return this.lines.Count == 0 ? null : (this.lines.Keys.Min(k => k.Day), this.lines.Keys.Max(k => k.Day));
            }
        }
    }

    /// <summary>The lines of the days in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), each charge period clipped to that window.</summary>
    public IReadOnlyList<AiCostLine> Lines(DateTime fromUtc, DateTime toUtc)
    {
        lock (this.gate)
        {
            return [.. this.lines
                .Where(kv => kv.Key.Day.AddDays(1) > fromUtc && kv.Key.Day < toUtc)
                .Select(kv => new AiCostLine(
                    kv.Key.Day < fromUtc ? fromUtc : kv.Key.Day,
                    kv.Key.Day.AddDays(1) > toUtc ? toUtc : kv.Key.Day.AddDays(1),
                    kv.Key.Tenant, kv.Key.Tier, kv.Key.Provider, kv.Key.Model, kv.Key.UseCase, kv.Key.Source,
                    kv.Value.Cost, kv.Value.Requests, kv.Value.Tokens))];
        }
    }

    private readonly record struct Key(DateTime Day, string Tenant, string Tier, string Provider, string Model, string UseCase, string Source);

    private sealed class Totals
    {
        public decimal Cost { get; set; }

        public long Requests { get; set; }

        public LineTokens Tokens { get; set; }
    }
}
