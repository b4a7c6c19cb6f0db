using System.Collections.Concurrent;
using Prometheus;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;

namespace UnitEconomics.Otel.Prometheus;

/// <summary>
/// The metric contract of DESIGN §5 with prometheus-net. Metric families are created once per
/// registry; the label children a call needs are resolved once per label set, kept in a dictionary
/// (so each label set has one series whatever handle it arrives on) and attached to the engine's
/// label-set handles (<see cref="SeriesHandle"/>), so a warm call finds them with a reference compare,
/// allocates nothing and takes no lock.
/// The per-call counters (cost, requests, tokens; by label set and by tenant) are added up as integers
/// — cost in pico-USD — with one atomic add each, and moved into their prometheus-net children when
/// the registry collects (a scrape): a call then costs a few atomic adds rather than a prometheus-net
/// update per counter, and cost counters sum exactly instead of accumulating floating-point error.
/// </summary>
public sealed partial class PrometheusCostSink : ICostSink
{
    /// <summary>Sub-cent to tens of dollars: one call is often a fraction of a cent, an agent task can be dollars.</summary>
    public static readonly double[] MoneyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50];

    public static readonly double[] TokenBuckets = [100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];

    public static readonly double[] CallCountBuckets = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100];

    private readonly Counter cost;
    private readonly Counter tenantCost;
    private readonly Counter tokens;
    private readonly Counter requests;
    private readonly Counter tenantRequests;
    private readonly Histogram requestCost;
    private readonly Counter unpriced;
    private readonly Counter agentTasks;
    private readonly Histogram agentTaskCost;
    private readonly UserRequestSeries userRequestSeries;
    private readonly Histogram agentTaskModelCalls;
    private readonly Histogram agentTaskTokens;
    private readonly Histogram singleShotCost;
    private readonly Counter budgetExceeded;
    private readonly Gauge tenantInfo;
    private readonly Gauge tenantRevenue;
    private readonly Gauge tenantEngagement;
    private readonly Gauge infraCost;
    private readonly Gauge modelPrice;
    private readonly Gauge modelPricePerCall;
    private readonly Counter tenantOverflow;
    private readonly Counter rejected;

    // Met once per label set handle (the hot path finds the series on the handle), and walked at flush.
    private readonly ConcurrentDictionary<CallKey, CallSeries> callSeries = new();
    private readonly ConcurrentDictionary<TenantKey, TenantSeries> tenantSeries = new();
    private readonly object publishLock = new();
    private PendingCalls[] pending = [];
    private HashSet<(string Tenant, string Tier)> publishedTenants = [];
    private HashSet<string> publishedTiers = [];
    private HashSet<(string Provider, string Model, string TokenType)> publishedPrices = [];
    private HashSet<(string Provider, string Model)> publishedCallPrices = [];
    private readonly HashSet<(string Provider, string Model)> billedModels = [];
    private PriceCatalog? pricedBy;
    private DateTimeOffset pricedAt;

    public PrometheusCostSink(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);

        // prometheus-net attaches the current trace as an exemplar by default. Here the current span is
        // the one being priced, on every increment: that would cost more than the pricing itself, and
        // the InfluxDB event log already links each request to its trace id.
        factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None };
        this.cost = factory.CreateCounter("ai_cost_usd_total", "AI spend in USD by provider, model, operation, use case and tier.", "provider", "model", "operation", "use_case", "tier");
        this.tenantCost = factory.CreateCounter("ai_tenant_cost_usd_total", "AI spend in USD by tenant (customer) and tier.", "tenant", "tier");
        this.tokens = factory.CreateCounter("ai_tokens_total", "Tokens by disjoint type (input = uncached input, output = non-reasoning output).", "provider", "model", "use_case", "tier", "token_type");
        this.requests = factory.CreateCounter("ai_requests_total", "Priced AI requests; cache=hit when answered from the app's semantic cache.", "provider", "model", "operation", "use_case", "tier", "cache");
        this.tenantRequests = factory.CreateCounter("ai_tenant_requests_total", "Priced AI requests by tenant and tier.", "tenant", "tier");
        this.requestCost = factory.CreateHistogram("ai_request_cost_usd", "Cost of one AI request in USD.", new HistogramConfiguration { LabelNames = ["operation", "use_case", "tier"], Buckets = MoneyBuckets });
        this.unpriced = factory.CreateCounter("ai_unpriced_requests_total", "Model calls with no price in the catalog and no reported cost: not priced at zero.", "provider", "model");
        this.agentTasks = factory.CreateCounter("ai_agent_tasks_total", "Agent tasks completed, by outcome.", "agent", "use_case", "tier", "outcome");
        this.userRequestSeries = new UserRequestSeries(factory.CreateHistogram("ai_user_request_cost_usd", "Cost of one user request (every priced call under one local root, or of one trace) in USD, by shape: agent, rag, single_shot, other.", new HistogramConfiguration { LabelNames = ["use_case", "tier", "shape"], Buckets = MoneyBuckets }));
        this.agentTaskCost = factory.CreateHistogram("ai_agent_task_cost_usd", "Cost of one agent task (every call under its root) in USD.", new HistogramConfiguration { LabelNames = ["agent", "use_case", "tier"], Buckets = MoneyBuckets });
        this.agentTaskModelCalls = factory.CreateHistogram("ai_agent_task_model_calls", "Model calls in one agent task.", new HistogramConfiguration { LabelNames = ["agent", "use_case", "tier"], Buckets = CallCountBuckets });
        this.agentTaskTokens = factory.CreateHistogram("ai_agent_task_tokens", "Tokens used by one agent task.", new HistogramConfiguration { LabelNames = ["agent", "use_case", "tier"], Buckets = TokenBuckets });
        this.singleShotCost = factory.CreateHistogram("ai_single_shot_cost_usd", "Cost of a completion made outside any agent task, in USD: the agent multiplier's baseline.", new HistogramConfiguration { LabelNames = ["use_case", "tier"], Buckets = MoneyBuckets });
        this.budgetExceeded = factory.CreateCounter("ai_budget_exceeded_total", "Budgets gone over (once per task, session, or tenant and month).", "scope", "use_case", "tier");
        this.tenantInfo = factory.CreateGauge("ai_tenant_info", "1 for each tenant in the tenant directory, with its tier.", "tenant", "tier");
        this.tenantRevenue = factory.CreateGauge("ai_tenant_revenue_usd_per_month", "Revenue per month from the tenant, USD.", "tenant", "tier");
        this.tenantEngagement = factory.CreateGauge("ai_tenant_engagement", "The tenant's engagement figure from the tenant directory.", "tenant", "tier");
        this.infraCost = factory.CreateGauge("ai_infra_cost_usd_per_month", "Non-AI infrastructure cost per month carried by the tier, USD.", "tier");
        this.modelPrice = factory.CreateGauge("ai_model_price_usd_per_million_tokens", "Catalog price in force, USD per million tokens, under each catalog entry's id and each billed model name seen on the cost series.", "provider", "model", "token_type");
        this.modelPricePerCall = factory.CreateGauge("ai_model_price_usd_per_call", "Catalog price in force per call (rerank, vector search, paid tools), USD, under each entry's id and each billed name seen.", "provider", "model");
        this.tenantOverflow = factory.CreateCounter("ai_tenant_overflow_total", "Calls whose tenant was folded into __other__ past the tenant cap.");
        this.rejected = factory.CreateCounter("ai_spans_rejected_total", "GenAI spans rejected as malformed, by reason.", "reason");
        (registry ?? Metrics.DefaultRegistry).AddBeforeCollectCallback(this.Flush);
    }

    public void OnCall(in CallCost call)
    {
        ref readonly var c = ref call;
        var series = c.Labels.Series.StateOf<CallSeries>(this) ?? c.Labels.Series.Attach(this, this.GetCallSeries(c.Labels));
        var pico = c.Cost.TotalPicoUsd;
        var usd = pico / PicoPerUsd;
        var parts = c.Call.Parts;
        series.Cells.Add(pico, usd, parts);
        series.RequestCost.Observe(usd);
        if (c.IsSingleShot)
        {
            series.SingleShotCost.Observe(usd);
        }

        var tenant = c.TenantLabels.Series.StateOf<TenantSeries>(this) ?? c.TenantLabels.Series.Attach(this, this.GetTenantSeries(c.TenantLabels));
        tenant.Cells.Add(pico, usd);
    }

    /// <summary>Remembers the engine's pending calls, to have them priced before each scrape.</summary>
    public void OnAttached(PendingCalls pending)
    {
        lock (this.publishLock)
        {
            this.pending = [.. this.pending, pending];
        }
    }

    /// <inheritdoc/>
    public void OnCatalogChanged(PriceCatalog catalog) => this.PublishPrices(catalog, DateTimeOffset.UtcNow);

    /// <inheritdoc/>
    public void OnTenantsChanged(TenantDirectory tenants) => this.PublishTenants(tenants);

    /// <summary>
    /// Moves what calls added since the last collect into the prometheus-net children, after the
    /// engines priced the spans still waiting for their pricing thread: a scrape shows every call that
    /// ended before it.
    /// </summary>
    public void Flush()
    {
        foreach (var pending in Volatile.Read(ref this.pending))
        {
            pending.PriceNow();
        }

        foreach (var series in this.callSeries.Values)
        {
            series.Cells.Flush();
        }

        foreach (var series in this.tenantSeries.Values)
        {
            series.Cells.Flush();
        }
    }

    public void OnUnpriced(in GenAiCall call) => this.unpriced.WithLabels(call.Provider, call.Model).Inc();

    public void OnAgentTask(in AgentTaskSummary task)
    {
        this.agentTasks.WithLabels(task.Agent, task.UseCase, task.Tier, task.Outcome).Inc();
        this.agentTaskCost.WithLabels(task.Agent, task.UseCase, task.Tier).Observe((double)task.CostUsd);
        this.agentTaskModelCalls.WithLabels(task.Agent, task.UseCase, task.Tier).Observe(task.ModelCalls);
        this.agentTaskTokens.WithLabels(task.Agent, task.UseCase, task.Tier).Observe(task.Tokens);
    }

    public void OnUserRequest(in UserRequestSummary request) =>
        this.userRequestSeries.For(request.UseCase, request.Tier, request.Shape).Observe((double)request.CostUsd);

    public void OnBudgetExceeded(in BudgetExceeded exceeded) =>
        this.budgetExceeded.WithLabels(exceeded.ScopeLabel, exceeded.UseCase, exceeded.Tier).Inc();

    public void OnRejected(RejectReason reason) => this.rejected.WithLabels(reason.ToLabel()).Inc();

    public void OnTenantOverflow() => this.tenantOverflow.Inc();

    private const double PicoPerUsd = 1_000_000_000_000d;

    private CallSeries GetCallSeries(CallLabelSet labels)
    {
        var series = this.callSeries.GetOrAdd(
            new CallKey(labels.Provider, labels.Model, labels.Operation, labels.UseCase, labels.Tier, labels.Cache),
            static (k, sink) => new CallSeries(sink, k),
            this);
        this.NoteBilledModel(labels.Provider, labels.Model);
        return series;
    }

    private TenantSeries GetTenantSeries(TenantLabelSet labels) =>
        this.tenantSeries.GetOrAdd(new TenantKey(labels.Tenant, labels.Tier), static (k, sink) => new TenantSeries(sink, k), this);

    private readonly record struct CallKey(string Provider, string Model, string Operation, string UseCase, string Tier, CacheLookup Cache);

    private readonly record struct TenantKey(string Tenant, string Tier);

    /// <summary>Every child one call touches, resolved once per label set.</summary>
    private sealed class CallSeries
    {
        public CallSeries(PrometheusCostSink sink, CallKey k)
        {
            this.Cells = new CallCells(
                sink.cost.WithLabels(k.Provider, k.Model, k.Operation, k.UseCase, k.Tier),
                sink.requests.WithLabels(k.Provider, k.Model, k.Operation, k.UseCase, k.Tier, CallLabelSet.LabelOf(k.Cache)),
                [
                    sink.tokens.WithLabels(k.Provider, k.Model, k.UseCase, k.Tier, "input"),
                    sink.tokens.WithLabels(k.Provider, k.Model, k.UseCase, k.Tier, "cache_read"),
                    sink.tokens.WithLabels(k.Provider, k.Model, k.UseCase, k.Tier, "cache_write"),
                    sink.tokens.WithLabels(k.Provider, k.Model, k.UseCase, k.Tier, "output"),
                    sink.tokens.WithLabels(k.Provider, k.Model, k.UseCase, k.Tier, "reasoning"),
                ]);
            this.RequestCost = sink.requestCost.WithLabels(k.Operation, k.UseCase, k.Tier);
            this.SingleShotCost = sink.singleShotCost.WithLabels(k.UseCase, k.Tier);
        }

        public CallCells Cells { get; }

        public Histogram.Child RequestCost { get; }

        public Histogram.Child SingleShotCost { get; }
    }

    private sealed class TenantSeries
    {
        public TenantSeries(PrometheusCostSink sink, TenantKey k)
        {
            this.Cells = new CostCells(sink.tenantCost.WithLabels(k.Tenant, k.Tier), sink.tenantRequests.WithLabels(k.Tenant, k.Tier));
        }

        public CostCells Cells { get; }
    }

    /// <summary>Cost (pico-USD) and requests of one label set, added up since the last flush.</summary>
    private class CostCells
    {
        // Past this a cell is flushed at once, so it cannot overflow between scrapes (2⁶² pico-USD ≈ 4.6 million USD).
        private const long FlushAbove = 1L << 62;

        private readonly Counter.Child cost;
        private readonly Counter.Child requests;
        private long costPico;
        private long requestCount;

        public CostCells(Counter.Child cost, Counter.Child requests)
        {
            this.cost = cost;
            this.requests = requests;
        }

        public void Add(long pico, double usd)
        {
            Interlocked.Increment(ref this.requestCount);
            if (pico >= FlushAbove)
            {
                this.cost.Inc(usd); // one call of millions of dollars: straight to the counter
            }
            else if (pico > 0 && Interlocked.Add(ref this.costPico, pico) >= FlushAbove)
            {
                this.Flush();
            }
        }

        public virtual void Flush()
        {
            var pico = Interlocked.Exchange(ref this.costPico, 0);
            if (pico != 0)
            {
                this.cost.Inc(pico / PicoPerUsd);
            }

            var requests = Interlocked.Exchange(ref this.requestCount, 0);
            if (requests != 0)
            {
                this.requests.Inc(requests);
            }
        }
    }

    /// <summary>A label set's cost and requests, and its tokens by disjoint type.</summary>
    private sealed class CallCells : CostCells
    {
        private readonly Counter.Child[] tokenCounters;
        private TokenCounts tokens;

        public CallCells(Counter.Child cost, Counter.Child requests, Counter.Child[] tokenCounters)
            : base(cost, requests)
        {
            this.tokenCounters = tokenCounters;
        }

        public void Add(long pico, double usd, in TokenParts parts)
        {
            this.Add(pico, usd);
            AddTokens(ref this.tokens[0], parts.UncachedInput);
            AddTokens(ref this.tokens[1], parts.CacheRead);
            AddTokens(ref this.tokens[2], parts.CacheWrite);
            AddTokens(ref this.tokens[3], parts.Output);
            AddTokens(ref this.tokens[4], parts.Reasoning);
        }

        public override void Flush()
        {
            base.Flush();
            for (var i = 0; i < TokenCounts.Length; i++)
            {
                var count = Interlocked.Exchange(ref this.tokens[i], 0);
                if (count != 0)
                {
                    this.tokenCounters[i].Inc(count);
                }
            }
        }

        private static void AddTokens(ref long cell, long count)
        {
            if (count > 0)
            {
                Interlocked.Add(ref cell, count);
            }
        }

        [System.Runtime.CompilerServices.InlineArray(Length)]
        private struct TokenCounts
        {
            public const int Length = 5;
            private long element;
        }
    }
}
