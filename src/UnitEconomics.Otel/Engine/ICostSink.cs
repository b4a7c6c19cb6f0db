using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// Receives what the engine computes. Called on the thread that accounts the call (in-process the
/// pricing thread, in the service an ingest worker): implementations must be thread-safe, cheap and
/// must not throw (the engine contains exceptions, but a throwing sink loses the rest of that call's
/// metrics for itself). A sink keeps its own series state; the contract carries label values only.
/// </summary>
public interface ICostSink
{
    void OnCall(in CallCost call);

    void OnUnpriced(in GenAiCall call);

    void OnAgentTask(in AgentTaskSummary task);

    void OnBudgetExceeded(in BudgetExceeded exceeded);

    void OnRejected(RejectReason reason);

    void OnTenantOverflow();

    /// <summary>A user request closed (DESIGN §7a): once per request, after every call in it was handed to <see cref="OnCall"/>.</summary>
    void OnUserRequest(in UserRequestSummary request)
    {
    }

    /// <summary>
    /// Called once by each engine the sink is given to, when it is built. A sink read on a schedule of
    /// its own (a scrape) keeps <paramref name="pending"/> and drains it before each read.
    /// </summary>
    void OnAttached(PendingCalls pending)
    {
    }

    /// <summary>The catalog in force: when the engine is built and after each reload (sinks that publish prices follow it).</summary>
    void OnCatalogChanged(PriceCatalog catalog)
    {
    }

    /// <summary>The tenant directory in force: when the engine is built and after each reload.</summary>
    void OnTenantsChanged(TenantDirectory tenants)
    {
    }
}
