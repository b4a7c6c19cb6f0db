using System.Diagnostics;
using System.Diagnostics.Metrics;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;

namespace UnitEconomics.Otel.Metering;

/// <summary>
/// The metric contract as OpenTelemetry instruments, for apps that export metrics over OTLP. Each
/// instrument is named after its Prometheus family without <c>_total</c>, with its unit in braces (an
/// annotation), so the standard OTLP→Prometheus translation yields exactly the contract names.
/// Tags go in a <see cref="TagList"/>, which holds up to eight without allocating.
/// </summary>
public sealed class MeterCostSink : ICostSink, IDisposable
{
    public const string MeterName = "UnitEconomics.Otel";

    private const string Usd = "{USD}";

    private readonly Meter meter;
    private readonly Counter<double> cost;
    private readonly Counter<double> tenantCost;
    private readonly Counter<long> tokens;
    private readonly Counter<long> requests;
    private readonly Counter<long> tenantRequests;
    private readonly Histogram<double> requestCost;
    private readonly Counter<long> unpriced;
    private readonly Counter<long> agentTasks;
    private readonly Histogram<double> agentTaskCost;
    private readonly Histogram<long> agentTaskModelCalls;
    private readonly Histogram<long> agentTaskTokens;
    private readonly Histogram<double> singleShotCost;
    private readonly Counter<long> budgetExceeded;
    private readonly Counter<long> tenantOverflow;
    private readonly Counter<long> rejected;
    private volatile TenantDirectory tenants = TenantDirectory.Empty;
    private volatile PriceCatalog catalog = PriceCatalog.Empty;

    public MeterCostSink(IMeterFactory? meterFactory = null)
    {
        this.meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var m = this.meter;
        this.cost = m.CreateCounter<double>("ai_cost_usd", Usd, "AI spend in USD by provider, model, operation, use case and tier.");
        this.tenantCost = m.CreateCounter<double>("ai_tenant_cost_usd", Usd, "AI spend in USD by tenant and tier.");
        this.tokens = m.CreateCounter<long>("ai_tokens", "{token}", "Tokens by disjoint type.");
        this.requests = m.CreateCounter<long>("ai_requests", "{request}", "Priced AI requests.");
        this.tenantRequests = m.CreateCounter<long>("ai_tenant_requests", "{request}", "Priced AI requests by tenant and tier.");
        this.requestCost = m.CreateHistogram<double>("ai_request_cost_usd", Usd, "Cost of one AI request in USD.");
        this.unpriced = m.CreateCounter<long>("ai_unpriced_requests", "{request}", "Model calls with no price and no reported cost.");
        this.agentTasks = m.CreateCounter<long>("ai_agent_tasks", "{task}", "Agent tasks completed, by outcome.");
        this.agentTaskCost = m.CreateHistogram<double>("ai_agent_task_cost_usd", Usd, "Cost of one agent task in USD.");
        this.agentTaskModelCalls = m.CreateHistogram<long>("ai_agent_task_model_calls", "{call}", "Model calls in one agent task.");
        this.agentTaskTokens = m.CreateHistogram<long>("ai_agent_task_tokens", "{token}", "Tokens used by one agent task.");
        this.singleShotCost = m.CreateHistogram<double>("ai_single_shot_cost_usd", Usd, "Cost of a completion outside any agent task.");
        this.budgetExceeded = m.CreateCounter<long>("ai_budget_exceeded", "{budget}", "Budgets gone over.");
        this.tenantOverflow = m.CreateCounter<long>("ai_tenant_overflow", "{request}", "Calls folded into __other__ past the tenant cap.");
        this.rejected = m.CreateCounter<long>("ai_spans_rejected", "{span}", "GenAI spans rejected as malformed, by reason.");
        m.CreateObservableGauge("ai_tenant_info", () => this.ObserveTenants(static _ => 1d), "{tenant}", "1 for each tenant in the directory.");
        m.CreateObservableGauge("ai_tenant_revenue_usd_per_month", () => this.ObserveTenants(static t => (double)t.RevenuePerMonth), Usd, "Revenue per month from the tenant.");
        m.CreateObservableGauge("ai_tenant_engagement", () => this.ObserveTenants(static t => t.Engagement), "{engagement}", "The tenant's engagement figure.");
        m.CreateObservableGauge("ai_infra_cost_usd_per_month", this.ObserveInfra, Usd, "Non-AI infrastructure cost per month of the tier.");
        m.CreateObservableGauge("ai_model_price_usd_per_million_tokens", this.ObservePrices, Usd, "Catalog price in force, USD per million tokens.");
    }

    public void PublishTenants(TenantDirectory directory) => this.tenants = directory;

    public void PublishPrices(PriceCatalog prices) => this.catalog = prices;

    /// <inheritdoc/>
    public void OnCatalogChanged(PriceCatalog catalog) => this.PublishPrices(catalog);

    /// <inheritdoc/>
    public void OnTenantsChanged(TenantDirectory tenants) => this.PublishTenants(tenants);

    public void OnCall(in CallCost call)
    {
        ref readonly var c = ref call;
        var usd = (double)c.Cost.Total;
        var tags = new TagList
        {
            { "provider", c.Call.Provider }, { "model", c.Call.Model }, { "operation", c.Call.Operation }, { "use_case", c.Call.UseCase }, { "tier", c.Tier },
        };
        this.cost.Add(usd, tags);
        tags.Add("cache", c.CacheLabel);
        this.requests.Add(1, tags);

        var parts = c.Call.Parts;
        this.AddTokens(c, "input", parts.UncachedInput);
        this.AddTokens(c, "cache_read", parts.CacheRead);
        this.AddTokens(c, "cache_write", parts.CacheWrite);
        this.AddTokens(c, "output", parts.Output);
        this.AddTokens(c, "reasoning", parts.Reasoning);

        this.requestCost.Record(usd, new TagList { { "operation", c.Call.Operation }, { "use_case", c.Call.UseCase }, { "tier", c.Tier } });
        if (c.IsSingleShot)
        {
            this.singleShotCost.Record(usd, new TagList { { "use_case", c.Call.UseCase }, { "tier", c.Tier } });
        }

        var tenant = new TagList { { "tenant", c.TenantLabel }, { "tier", c.Tier } };
        this.tenantCost.Add(usd, tenant);
        this.tenantRequests.Add(1, tenant);
    }

    public void OnUnpriced(in GenAiCall call) => this.unpriced.Add(1, new TagList { { "provider", call.Provider }, { "model", call.Model } });

    public void OnAgentTask(in AgentTaskSummary task)
    {
        var tags = new TagList { { "agent", task.Agent }, { "use_case", task.UseCase }, { "tier", task.Tier } };
        this.agentTaskCost.Record((double)task.CostUsd, tags);
        this.agentTaskModelCalls.Record(task.ModelCalls, tags);
        this.agentTaskTokens.Record(task.Tokens, tags);
        tags.Add("outcome", task.Outcome);
        this.agentTasks.Add(1, tags);
    }

    public void OnBudgetExceeded(in BudgetExceeded exceeded) =>
        this.budgetExceeded.Add(1, new TagList { { "scope", exceeded.ScopeLabel }, { "use_case", exceeded.UseCase }, { "tier", exceeded.Tier } });

    public void OnRejected(RejectReason reason) => this.rejected.Add(1, new KeyValuePair<string, object?>("reason", reason.ToLabel()));

    public void OnTenantOverflow() => this.tenantOverflow.Add(1);

    public void Dispose() => this.meter.Dispose();

    private void AddTokens(in CallCost c, string type, long count)
    {
        if (count > 0)
        {
            this.tokens.Add(count, new TagList
            {
                { "provider", c.Call.Provider }, { "model", c.Call.Model }, { "use_case", c.Call.UseCase }, { "tier", c.Tier }, { "token_type", type },
            });
        }
    }

    private IEnumerable<Measurement<double>> ObserveTenants(Func<TenantInfo, double> value)
    {
        foreach (var t in this.tenants.Tenants)
        {
            yield return new Measurement<double>(value(t), new KeyValuePair<string, object?>("tenant", t.Id), new KeyValuePair<string, object?>("tier", t.Tier));
        }
    }

    private IEnumerable<Measurement<double>> ObserveInfra()
    {
        foreach (var tier in this.tenants.Tiers.Values)
        {
            yield return new Measurement<double>((double)tier.InfraCostPerMonth, new KeyValuePair<string, object?>("tier", tier.Name));
        }
    }

    private IEnumerable<Measurement<double>> ObservePrices()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var entry in this.catalog.Entries)
        {
            if (!entry.IsInForceAt(now))
            {
                continue;
            }

            foreach (var (type, price) in entry.TokenTypePrices())
            {
                yield return new Measurement<double>((double)price, new KeyValuePair<string, object?>("provider", entry.Provider ?? SpanNormalizer.Unknown),
                    new KeyValuePair<string, object?>("model", entry.Id), new KeyValuePair<string, object?>("token_type", type));
            }
        }
    }
}
