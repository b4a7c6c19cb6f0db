using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Diagnostics;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// The one engine behind both doors (the in-process processor and the OTLP service). A door reads each
/// span with <see cref="Read"/> (span → <see cref="GenAiCall"/>) and hands the call to <see cref="Account"/>
/// with its ancestry: priced (<see cref="CallPricer"/>), attributed (<see cref="TenantLabels"/>), rolled up
/// into its agent task (<see cref="AgentTaskRollup"/>) and its user request (<see cref="UserRequestRollup"/>),
/// held against budgets (<see cref="BudgetTracker"/>) and handed to the sinks (<see cref="SinkFanout"/>).
/// Never throws to its caller.
/// </summary>
public sealed class CostEngine
{
    private readonly Func<PriceCatalog> catalog;
    private readonly Func<TenantDirectory> tenants;
    private readonly TenantLabels tenantLabels;
    private readonly CallLabelSetTable labelSets = new();
    private readonly AgentTaskRollup tasks;
    private readonly UserRequestRollup requests = new();
    private readonly long idleSweepPeriodMs;

    // When tasks and requests idle past the timeout are next closed (Environment.TickCount64): the
    // engine closes them itself, in whichever door, as calls come.
    private long nextIdleSweep;
    private readonly SinkFanout fanout;

    public CostEngine(
        UnitEconomicsOptions options,
        Func<PriceCatalog> catalog,
        Func<TenantDirectory> tenants,
        IEnumerable<ICostSink> sinks,
        ILogger? logger = null)
    {
        this.Options = options;
        this.catalog = catalog;
        this.tenants = tenants;
        this.Normalizer = new SpanNormalizer(options.Spans);
        this.tenantLabels = new TenantLabels(options.MaxTenants);
        this.tasks = new AgentTaskRollup(options.MaxOpenTasks, options.Budgets.MaxTokensPerTask);
        this.Budgets = new BudgetTracker(options.Budgets);
        this.fanout = new SinkFanout([.. sinks], logger ?? NullLogger.Instance);
        this.fanout.Attached(this.Pending, catalog(), tenants());
        this.idleSweepPeriodMs = (long)Math.Clamp(options.TaskIdleTimeout.TotalMilliseconds / 4, 1_000, 30_000);
        this.nextIdleSweep = Environment.TickCount64 + this.idleSweepPeriodMs;
    }

    /// <summary>Raised once per budget crossing, after the sinks counted it.</summary>
    public event EventHandler<BudgetExceeded>? BudgetExceeded
    {
        add => this.fanout.BudgetExceeded += value;
        remove => this.fanout.BudgetExceeded -= value;
    }

    public UnitEconomicsOptions Options { get; }

    public SpanNormalizer Normalizer { get; }

    internal BudgetTracker Budgets { get; }

    public PriceCatalog Catalog => this.catalog();

    public TenantDirectory Tenants => this.tenants();

    public int OpenTasks => this.tasks.OpenCount;

    /// <summary>User requests with priced calls whose end has not come yet.</summary>
    public int OpenRequests => this.requests.OpenCount;

    /// <summary>Spans that ended and wait for the in-process pricing thread: the scrape-time drain (see <see cref="PendingCalls"/>).</summary>
    public PendingCalls Pending { get; } = new();

    /// <summary>
    /// Reads and accounts an in-process span that has ended, in one step, its ancestors being its live
    /// parents: what the in-process door does per span. <paramref name="resource"/> is the tracer
    /// provider's resource (a tenant may be set there for the whole process). Never throws.
    /// </summary>
    public void OnEnded(Activity activity, IReadOnlyDictionary<string, object>? resource = null)
    {
        if (this.Read(activity, resource, out var call) == NormalizeResult.Ok)
        {
            this.Account(call, new ActivityAncestry(activity, this.Normalizer));
        }
        else if (activity.Parent is null && this.requests.OpenCount > 0)
        {
            // A local root that is no call (an HTTP server span, say): the user request under it ends.
            this.EndRequest(activity.TraceId, activity.SpanId, activity.StartTimeUtc + activity.Duration);
        }
    }

    /// <summary>
    /// The stateless read: <paramref name="span"/> as a <see cref="GenAiCall"/>, or why not. A rejected
    /// span (malformed token counts or cost) is counted here, so both doors count rejections alike.
    /// The OTLP service reads each span when its batch is decoded and keeps the call, not the span.
    /// Never throws.
    /// </summary>
    public NormalizeResult Read<TSpan>(in TSpan span, out GenAiCall call)
        where TSpan : struct, ISpanView
    {
        try
        {
            var result = this.Normalizer.Normalize(span, out call, out var reason);
            return this.Checked(result, ref call, reason);
        }
        catch (Exception ex)
        {
            return this.Unreadable(ex, out call);
        }
    }

    /// <summary>The read of an in-process span (see <see cref="SpanNormalizer.Normalize(Activity, IReadOnlyDictionary{string, object}?, out GenAiCall, out RejectReason)"/>).</summary>
    public NormalizeResult Read(Activity activity, IReadOnlyDictionary<string, object>? resource, out GenAiCall call)
    {
        try
        {
            var result = this.Normalizer.Normalize(activity, resource, out call, out var reason);
            return this.Checked(result, ref call, reason);
        }
        catch (Exception ex)
        {
            return this.Unreadable(ex, out call);
        }
    }

    /// <summary>
    /// The accounting entry: prices a call <see cref="Read"/> returned, attributes it, rolls it up into
    /// its agent task (found through <paramref name="ancestry"/>), applies budgets and hands it to the
    /// sinks. Calls of one trace must come children first, so a task's calls are added before its root
    /// closes it. Never throws.
    /// </summary>
    public void Account<TAncestry>(in GenAiCall call, in TAncestry ancestry)
        where TAncestry : struct, ISpanAncestry
    {
        try
        {
            var startsTask = call.StartsTask;
            if (startsTask || ancestry.HasAncestors)
            {
                this.AccountInTasks(call, ancestry, startsTask);
            }
            else
            {
                // A call with no ancestors that starts no task (made outside any request or agent span) is
                // priced on its own: the agent-task bookkeeping, its locals and its locks stay out of this path.
                var tenant = this.ResolveTenant(call);
                var priced = this.PriceCall(call, tenant, out var cost, out var labels, out var isModelCall);
                if (priced || isModelCall)
                {
                    this.Record(call, cost, labels, tenant, priced, isSingleShot: priced && IsSingleShotKind(call));
                }

                this.AddToRequest(call, ancestry.RequestRoot, priced, cost.Total, inTask: false, tenant);
            }

            var now = Environment.TickCount64;
            var due = Volatile.Read(ref this.nextIdleSweep);
            if (now >= due && Interlocked.CompareExchange(ref this.nextIdleSweep, now + this.idleSweepPeriodMs, due) == due)
            {
                this.CloseIdle();
            }
        }
        catch (Exception ex)
        {
            UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
            this.fanout.Rejected(RejectReason.Unreadable);
        }
    }

    /// <summary>Closes tasks and requests idle past <see cref="UnitEconomicsOptions.TaskIdleTimeout"/> (span time), once per sweep period.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CloseIdle()
    {
        if (this.tasks.OpenCount > 0 || this.requests.OpenCount > 0)
        {
            this.CloseIdleTasks(DateTime.UtcNow - this.Options.TaskIdleTimeout);
        }
    }

    /// <summary>Prices every span that ended before this call and waits for a pricing thread (<see cref="PendingCalls.PriceNow"/>).</summary>
    public void PricePending() => this.Pending.PriceNow();

    /// <summary>Hands a reloaded catalog to the sinks that publish prices (the engine itself reads the catalog afresh per call).</summary>
    public void CatalogChanged(PriceCatalog catalog) => this.fanout.CatalogChanged(catalog);

    /// <summary>Hands a reloaded tenant directory to the sinks that publish tenant figures.</summary>
    public void TenantsChanged(TenantDirectory tenants) => this.fanout.TenantsChanged(tenants);

    /// <summary>Whether the agent task containing <paramref name="key"/> has gone over its token budget.</summary>
    public bool IsTaskOverBudget(TaskKey key, out long tokens) => this.tasks.IsOverBudget(key, out tokens);

    /// <summary>Tokens the agent task has used so far (0 before its first priced call); what the budget middleware reserves against.</summary>
    internal long TaskTokens(TaskKey key) => this.tasks.TokensOf(key);

    /// <summary>
    /// Closes agent tasks and user requests idle since before <paramref name="cutoffUtc"/> (roots that never
    /// arrived, calls that came after their request ended); <see cref="DateTime.MaxValue"/> closes all, at
    /// shutdown. Returns the tasks closed. The engine also calls it itself as calls come, every quarter
    /// of <see cref="UnitEconomicsOptions.TaskIdleTimeout"/> (1 to 30 s).
    /// </summary>
    public int CloseIdleTasks(DateTime cutoffUtc)
    {
        var closed = this.tasks.CloseIdle(cutoffUtc);
        foreach (var summary in closed)
        {
            this.fanout.Task(summary);
        }

        foreach (var request in this.requests.CloseIdle(cutoffUtc))
        {
            this.fanout.Request(request);
        }

        return closed.Count;
    }

    /// <summary>
    /// Ends a user request whose root is not a call: in-process a local root that is no GenAI span; in the
    /// service the trace (<paramref name="rootSpanId"/> default), once all its calls were accounted.
    /// </summary>
    public void EndRequest(ActivityTraceId traceId, ActivitySpanId rootSpanId, DateTime endUtc)
    {
        try
        {
            if (this.requests.End(new RequestKey(traceId, rootSpanId), endUtc) is { } summary)
            {
                this.fanout.Request(summary);
            }
        }
        catch (Exception ex)
        {
            UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AccountInTasks<TAncestry>(in GenAiCall call, in TAncestry ancestry, bool startsTask)
        where TAncestry : struct, ISpanAncestry
    {
        var place = this.tasks.Locate(call, ancestry, startsTask);
        var tenant = this.ResolveTenant(call);
        bool priced, isModelCall;
        CostBreakdown cost;
        CallLabelSet? labels;
        if (call.Kind == OperationKind.Agent && place.Task is { } task && AgentTaskRollup.HasInferenceBelow(task, call.SpanId))
        {
            // A remote agent's own totals would count the inference already seen below it twice.
            (priced, isModelCall, cost, labels) = (false, false, CostBreakdown.Unpriced, null);
        }
        else
        {
            priced = this.PriceCall(call, tenant, out cost, out labels, out isModelCall);
        }

        if (priced || isModelCall)
        {
            this.Record(call, cost, labels, tenant, priced, isSingleShot: !place.InsideTask && !startsTask && priced && IsSingleShotKind(call));
        }

        if (place.Task is null && place.IsOutermostRoot && (priced || isModelCall))
        {
            place.Task = this.tasks.OpenForRoot(call);
        }

        if (place.Task is not null && this.tasks.Add(place, call, cost.Total, isModelCall, tenant.Tenant, tenant.Tier, out var crossing))
        {
            this.fanout.Exceeded(this, new BudgetExceeded(BudgetScope.Task, crossing.RootSpanId, crossing.TenantLabel, crossing.Tier, crossing.UseCase, crossing.Limit, crossing.Tokens));
        }

        if (place.IsOutermostRoot)
        {
            this.fanout.Task(this.tasks.Close(call, tenant.Tenant, tenant.Tier));
        }

        this.AddToRequest(call, ancestry.RequestRoot, priced, cost.Total, inTask: place.InsideTask || startsTask, tenant);
    }

    /// <summary>
    /// Adds a call to its user request, or ends the request when the call is its root (in-process, the
    /// outermost local span): a lone call is a request of its own, summed without being held.
    /// </summary>
    private void AddToRequest(in GenAiCall call, ActivitySpanId requestRoot, bool priced, decimal cost, bool inTask, TenantLabelSet tenant)
    {
        var isLookup = priced && CallPricer.RuleFor(call) == PricingRule.CacheLookup;
        var entry = new PricedCall(in call, cost, isLookup, inTask, tenant.Tenant, tenant.Tier);
        if (requestRoot == call.SpanId)
        {
            if (this.requests.End(new RequestKey(call.TraceId, requestRoot), entry, priced, call.EndTimeUtc) is { } summary)
            {
                this.fanout.Request(summary);
            }
        }
        else if (priced)
        {
            this.requests.Add(new RequestKey(call.TraceId, requestRoot), entry);
        }
    }

    private NormalizeResult Checked(NormalizeResult result, ref GenAiCall call, RejectReason reason)
    {
        if (result == NormalizeResult.Rejected)
        {
            this.fanout.Rejected(reason);
        }
        else if (result == NormalizeResult.Ok && ReferenceEquals(call.Operation, GenAiAttributes.Operations.Retrieval))
        {
            // A retrieval span's model label is the catalog entry that prices it (DESIGN §3).
            call.Model = RetrievalPricing.EntryFor(call, this.catalog(), this.Normalizer);
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private NormalizeResult Unreadable(Exception ex, out GenAiCall call)
    {
        // A span the engine cannot read must never reach the host app as an exception.
        UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
        this.fanout.Rejected(RejectReason.Unreadable);
        call = default;
        return NormalizeResult.Rejected;
    }

    /// <summary>A completion priced by tokens (not an embedding, not a cache hit): what the agent multiplier compares tasks with.</summary>
    private static bool IsSingleShotKind(in GenAiCall call) =>
        call.Kind == OperationKind.Inference && !call.CacheHit && !ReferenceEquals(call.Operation, GenAiAttributes.Operations.Embeddings);

    private TenantLabelSet ResolveTenant(in GenAiCall call)
    {
        // The tenant comes first: its tier is one of the labels the call is counted (and its price cached) under.
        var tenant = this.tenantLabels.Resolve(call.Tenant, this.tenants(), out var overflowed);
        if (overflowed)
        {
            this.fanout.TenantOverflow();
        }

        return tenant;
    }

    /// <summary>
    /// What the call costs by <see cref="CallPricer"/>'s rules, if it is priced at all. For calls priced by
    /// an entry, <paramref name="labels"/> is resolved and caches that entry's lookup; a tool priced by
    /// name, or a free cache lookup, leaves it to <see cref="Record"/>.
    /// </summary>
    private bool PriceCall(in GenAiCall call, TenantLabelSet tenant, out CostBreakdown cost, out CallLabelSet? labels, out bool isModelCall)
    {
        labels = null;
        isModelCall = false;
        var rule = CallPricer.RuleFor(call);
        switch (rule)
        {
            case PricingRule.CacheLookup:
                // The app's own semantic-cache lookup: free, but counted (cache="hit" or "miss"), so the hit
                // rate is hits over lookups. A hit answered the user without calling a model.
                cost = CostBreakdown.Free;
                return true;
            case PricingRule.ByTool:
                cost = this.PriceTool(call);
                return cost.IsPriced;
            case PricingRule.ByModel or PricingRule.ByModelOrProvider:
                isModelCall = rule == PricingRule.ByModel;
                labels = this.labelSets.Get(call.Provider, call.Model, call.Operation, call.UseCase, tenant.Tier, call.Cache);
                // The label set's own strings: its cached entry lookup is found by reference.
                var name = rule == PricingRule.ByModel || labels.Model != SpanNormalizer.Unknown ? labels.Model : labels.Provider;
                cost = CallPricer.Price(call, labels.RankingIn(this.catalog(), name));
                if (!cost.IsPriced)
                {
                    this.fanout.Unpriced(call);
                }

                return cost.IsPriced;
            default:
                cost = CostBreakdown.Unpriced;
                return false;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private CostBreakdown PriceTool(in GenAiCall call) => CallPricer.Price(this.catalog(), call);

    /// <summary>Hands a priced call (or an unpriced model call, for budgets) to the sinks and the budgets.</summary>
    private void Record(in GenAiCall call, in CostBreakdown cost, CallLabelSet? labels, TenantLabelSet tenant, bool priced, bool isSingleShot)
    {
        labels ??= this.labelSets.Get(call.Provider, call.Model, call.Operation, call.UseCase, tenant.Tier, call.Cache);
        var record = new CallCost(in call, in cost, labels, tenant, isSingleShot);
        if (priced)
        {
            this.fanout.Call(record);
        }

        if (this.Budgets.LimitsCalls)
        {
            this.ApplyBudgets(call, cost.Total, priced, tenant);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ApplyBudgets(in GenAiCall call, decimal cost, bool priced, TenantLabelSet tenant)
    {
        this.Budgets.Add(call, cost, priced, tenant.Tenant, tenant.Tier, out var session, out var month);
        if (session is { } s)
        {
            this.fanout.Exceeded(this, s);
        }

        if (month is { } m)
        {
            this.fanout.Exceeded(this, m);
        }
    }
}
