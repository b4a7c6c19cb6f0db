using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Diagnostics;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// Hands what the engine computed to every sink, in order, and to the app's budget handler. Also the one
/// place an unpriced model is logged (once per model, bounded), so a flood of model names cannot flood
/// the log.
/// </summary>
internal sealed class SinkFanout
{
    private const int MaxLoggedUnpricedModels = 1_000;

    private readonly ICostSink[] sinks;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, byte> loggedUnpriced = new(StringComparer.Ordinal);
    private int loggedUnpricedCount;

    public SinkFanout(ICostSink[] sinks, ILogger logger)
    {
        this.sinks = sinks;
        this.logger = logger;
    }

    /// <summary>Raised once per budget crossing, after the sinks counted it.</summary>
    public event EventHandler<BudgetExceeded>? BudgetExceeded;

    public void Attached(PendingCalls pending, PriceCatalog catalog, TenantDirectory tenants)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnAttached(pending);
            sink.OnCatalogChanged(catalog);
            sink.OnTenantsChanged(tenants);
        }
    }

    public void CatalogChanged(PriceCatalog catalog)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnCatalogChanged(catalog);
        }
    }

    public void TenantsChanged(TenantDirectory tenants)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnTenantsChanged(tenants);
        }
    }

    public void Call(in CallCost record)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnCall(record);
        }
    }

    public void Task(in AgentTaskSummary summary)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnAgentTask(summary);
        }
    }

    public void Request(in UserRequestSummary summary)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnUserRequest(summary);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Rejected(RejectReason reason)
    {
        UnitEconomicsEventSource.Log.SpanRejected(reason.ToLabel());
        foreach (var sink in this.sinks)
        {
            sink.OnRejected(reason);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void TenantOverflow()
    {
        foreach (var sink in this.sinks)
        {
            sink.OnTenantOverflow();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Exceeded(object sender, in BudgetExceeded exceeded)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnBudgetExceeded(exceeded);
        }

        try
        {
            this.BudgetExceeded?.Invoke(sender, exceeded);
        }
        catch (Exception ex)
        {
            // The app's handler failing must not stop pricing.
            this.logger.LogError(ex, "A BudgetExceeded handler threw.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Unpriced(in GenAiCall call)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnUnpriced(call);
        }

        var key = call.Model;
        // ConcurrentDictionary.Count takes every lock: the bound is kept with a counter instead.
        if (this.loggedUnpriced.ContainsKey(key) || Volatile.Read(ref this.loggedUnpricedCount) >= MaxLoggedUnpricedModels)
        {
            return;
        }

        if (this.loggedUnpriced.TryAdd(key, 0))
        {
            Interlocked.Increment(ref this.loggedUnpricedCount);
            UnitEconomicsEventSource.Log.UnpricedModel(call.Provider, call.Model);
            this.logger.LogWarning("No price for model {Model} (provider {Provider}): its calls are counted in ai_unpriced_requests_total, not priced at zero. Add it to a price catalog.", call.Model, call.Provider);
        }
    }
}
