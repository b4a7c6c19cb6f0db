using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Diagnostics;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// The one engine behind both front doors (the in-process processor and the OTLP service): span →
/// normalized call → price → attribution → agent-task rollup → budgets → sinks. Never throws to its caller.
/// </summary>
public sealed class CostEngine
{
    private const int MaxLoggedUnpricedModels = 1_000;

    private readonly Func<PriceCatalog> catalog;
    private readonly Func<TenantDirectory> tenants;
    private readonly ICostSink[] sinks;
    private readonly ILogger logger;
    private readonly TenantLabels tenantLabels;
    private readonly CallLabelSetTable labelSets = new();
    private readonly AgentTaskTracker tasks;
    private readonly ConcurrentDictionary<string, byte> loggedUnpriced = new(StringComparer.Ordinal);
    private int loggedUnpricedCount;
    private readonly object pendingLock = new();
    private IPendingSpans[] pending = [];

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
        this.sinks = [.. sinks];
        this.logger = logger ?? NullLogger.Instance;
        this.Normalizer = new SpanNormalizer(options.Spans);
        this.tenantLabels = new TenantLabels(options.MaxTenants);
        this.tasks = new AgentTaskTracker(options.MaxOpenTasks);
        this.Budgets = new BudgetTracker(options.Budgets);
        foreach (var sink in this.sinks)
        {
            sink.OnAttached(this);
        }
    }

    /// <summary>Raised once per budget crossing, after the sinks counted it.</summary>
    public event EventHandler<BudgetExceeded>? BudgetExceeded;

    public UnitEconomicsOptions Options { get; }

    public SpanNormalizer Normalizer { get; }

    public BudgetTracker Budgets { get; }

    public PriceCatalog Catalog => this.catalog();

    public TenantDirectory Tenants => this.tenants();

    public int OpenTasks => this.tasks.OpenCount;

    /// <summary>
    /// Reads and accounts a span that has ended, in one step: what a door does when it has the span and
    /// its ancestors at hand (the in-process processor). Never throws.
    /// </summary>
    public void OnEnded<TSpan, TAncestry>(in TSpan span, in TAncestry ancestry)
        where TSpan : struct, ISpanView
        where TAncestry : struct, ISpanAncestry
    {
        if (this.Read(span, out var call) == NormalizeResult.Ok)
        {
            this.Account(call, ancestry);
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
            if (result == NormalizeResult.Rejected)
            {
                this.Notify(reason);
            }
            else if (result == NormalizeResult.Ok && ReferenceEquals(call.Operation, GenAiAttributes.Operations.Retrieval))
            {
                // A retrieval span's model label is the catalog entry that prices it (DESIGN §3).
                call.Model = RetrievalPricing.EntryFor(call, this.catalog(), this.Normalizer);
            }

            return result;
        }
        catch (Exception ex)
        {
            // A span the engine cannot read must never reach the host app as an exception.
            UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
            this.Notify(RejectReason.Unreadable);
            call = default;
            return NormalizeResult.Rejected;
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
            this.Process(call, ancestry);
        }
        catch (Exception ex)
        {
            UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
            this.Notify(RejectReason.Unreadable);
        }
    }

    /// <summary>
    /// Prices every span that ended before this call and was handed to a pricing thread (see
    /// <see cref="UnitEconomicsOptions.InlinePricing"/>) but is not priced yet. Sinks read on their own
    /// schedule call it first (the Prometheus sink, at each scrape), and so does the budget middleware,
    /// so what they see includes every span that ended before.
    /// </summary>
    public void PricePending()
    {
        foreach (var source in Volatile.Read(ref this.pending))
        {
            source.PricePending();
        }
    }

    internal void AddPending(IPendingSpans source)
    {
        lock (this.pendingLock)
        {
            this.pending = [.. this.pending, source];
        }
    }

    internal void RemovePending(IPendingSpans source)
    {
        lock (this.pendingLock)
        {
            this.pending = [.. this.pending.Where(s => s != source)];
        }
    }

    /// <summary>Whether the agent task containing <paramref name="key"/> has gone over its token budget.</summary>
    public bool IsTaskOverBudget(TaskKey key, out long tokens)
    {
        tokens = 0;
        if (this.tasks.TryGet(key, out var state) && state is not null)
        {
            lock (state)
            {
                tokens = state.Tokens;
                return state.BudgetExceeded;
            }
        }

        return false;
    }

    /// <summary>Tokens the agent task has used so far (0 before its first priced call); what the budget middleware reserves against.</summary>
    internal long TaskTokens(TaskKey key)
    {
        if (this.tasks.TryGet(key, out var state) && state is not null)
        {
            lock (state)
            {
                return state.Tokens;
            }
        }

        return 0;
    }

    /// <summary>Closes tasks idle since before <paramref name="cutoffUtc"/> (roots that never arrived); <see cref="DateTime.MaxValue"/> closes all, at shutdown.</summary>
    public int CloseIdleTasks(DateTime cutoffUtc)
    {
        var idle = this.tasks.TakeIdle(cutoffUtc);
        foreach (var state in idle)
        {
            AgentTaskSummary summary;
            lock (state)
            {
                summary = state.ToSummary(
                    state.AgentName ?? SpanNormalizer.Unknown,
                    state.TenantLabel ?? SpanNormalizer.Unknown,
                    state.Tier ?? TenantDirectory.UnknownTier,
                    state.UseCase ?? SpanNormalizer.Unknown,
                    state.BudgetExceeded ? "budget_exceeded" : "ok",
                    state.LastSeenUtc,
                    byTimeout: true);
            }

            this.Notify(summary);
        }

        return idle.Count;
    }

    private void Process<TAncestry>(in GenAiCall call, in TAncestry ancestry)
        where TAncestry : struct, ISpanAncestry
    {
        var isRoot = call.StartsTask;
        if (isRoot || ancestry.HasAncestors)
        {
            this.ProcessWithTasks(call, ancestry, isRoot);
            return;
        }

        // A span with no ancestors that starts no task (a call made outside any request or agent span) is
        // priced on its own: the agent-task bookkeeping, its locals and its locks stay out of this method.
        // A span with ancestors takes the task path, which walks them to find a task root.
        var tenant = this.ResolveTenant(call);
        var priced = this.PriceCall(call, tenant, task: null, out var cost, out var labels, out var isModelCall);
        if (priced || isModelCall)
        {
            this.Record(call, cost, labels, tenant, priced, isSingleShot: priced && IsSingleShotKind(call));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ProcessWithTasks<TAncestry>(in GenAiCall call, in TAncestry ancestry, bool isRoot)
        where TAncestry : struct, ISpanAncestry
    {
        var finder = new TaskRootFinder();
        ancestry.VisitAncestors(ref finder);
        var isOutermostRoot = isRoot && !finder.Found;
        TaskState? task = null;
        if (finder.Found)
        {
            task = this.tasks.GetOrOpen(new TaskKey(call.TraceId, finder.OutermostRoot), finder.OutermostAgent, call.StartTimeUtc);
        }
        else if (isOutermostRoot)
        {
            this.tasks.TryGet(new TaskKey(call.TraceId, call.SpanId), out task);
        }

        var tenant = this.ResolveTenant(call);
        var priced = this.PriceCall(call, tenant, task, out var cost, out var labels, out var isModelCall);
        if (priced || isModelCall)
        {
            this.Record(call, cost, labels, tenant, priced, isSingleShot: !finder.Found && !isRoot && priced && IsSingleShotKind(call));
        }

        if (task is null && isOutermostRoot && (priced || isModelCall))
        {
            // A remote agent priced from its own totals: the task is its one call.
            task = this.tasks.GetOrOpen(new TaskKey(call.TraceId, call.SpanId), call.AgentName, call.StartTimeUtc);
        }

        if (task is not null)
        {
            this.AddToTask(task, call, cost.Total, isModelCall, finder, tenant.Tenant, tenant.Tier);
        }

        if (isOutermostRoot)
        {
            this.CloseTask(call, tenant.Tenant, tenant.Tier);
        }
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
            this.NotifyOverflow();
        }

        return tenant;
    }

    /// <summary>
    /// What the span costs, if it is priced at all; <paramref name="labels"/> is resolved for the calls
    /// priced by model (a tool priced by name, or a free cache hit, leaves it to <see cref="Record"/>).
    /// </summary>
    private bool PriceCall(in GenAiCall call, TenantLabelSet tenant, TaskState? task, out CostBreakdown cost, out CallLabelSet? labels, out bool isModelCall)
    {
        var priced = false;
        cost = CostBreakdown.Unpriced;
        labels = null;
        isModelCall = false;
        switch (call.Kind)
        {
            case OperationKind.Inference:
            case OperationKind.Other when call.HasTokens || call.HasReportedCost || call.Cache != CacheLookup.None:
                if (call.Cache != CacheLookup.None && !call.HasTokens && !call.HasReportedCost)
                {
                    // The app's own semantic-cache lookup span: free, but counted (cache="hit" or "miss"), so the
                    // hit rate is hits over lookups. A hit answered the user without calling a model.
                    cost = CostBreakdown.Free;
                    return true;
                }

                isModelCall = true;
                labels = this.LabelsOf(call, tenant);
                priced = this.TryPrice(call, labels, labels.Model, out cost);
                break;
            case OperationKind.PerCall:
                labels = this.LabelsOf(call, tenant);
                priced = this.TryPrice(call, labels, labels.Model != SpanNormalizer.Unknown ? labels.Model : labels.Provider, out cost);
                break;
            case OperationKind.Tool:
                // Tools are free unless the catalog prices them by name (not a label: looked up in the catalog).
                return call.ToolName is not null && this.TryPriceTool(call, out cost);
            case OperationKind.Agent when call.HasTokens || call.HasReportedCost:
                // A remote agent whose inside is not traced: priced from its own totals, but only if no
                // inference span below it was seen (otherwise the tokens would be counted twice).
                if (task is not null && HasInferenceBelow(task, call.SpanId))
                {
                    return false;
                }

                isModelCall = true;
                labels = this.LabelsOf(call, tenant);
                priced = this.TryPrice(call, labels, labels.Model, out cost);
                break;
            default:
                return false;
        }

        if (!priced)
        {
            this.ReportUnpriced(call);
        }

        return priced;
    }

    /// <summary>Hands a priced call (or an unpriced model call, for budgets) to the sinks and the budgets.</summary>
    private void Record(in GenAiCall call, in CostBreakdown cost, CallLabelSet? labels, TenantLabelSet tenant, bool priced, bool isSingleShot)
    {
        var record = new CallCost(in call, in cost, labels ?? this.LabelsOf(call, tenant), tenant, isSingleShot);
        if (priced)
        {
            this.Notify(record);
        }

        var budgets = this.Options.Budgets;
        if (budgets.MaxTokensPerSession is not null || budgets.MaxUsdPerTenantPerMonth is not null)
        {
            this.ApplyBudgets(call, record, priced);
        }
    }

    private static bool HasInferenceBelow(TaskState task, ActivitySpanId agentSpan)
    {
        lock (task)
        {
            return task.HasInferenceBelow(agentSpan);
        }
    }

    /// <summary>Prices a call by <paramref name="name"/>, one of <paramref name="labels"/>' own strings, whose ranking the set caches.</summary>
    private bool TryPrice(in GenAiCall call, CallLabelSet labels, string name, out CostBreakdown cost)
    {
        var price = PriceCatalog.InForceAt(labels.RankingIn(this.catalog(), name), call.EndTimeUtc);
        cost = CostCalculator.Calculate(call, price);
        return cost.IsPriced;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryPriceTool(in GenAiCall call, out CostBreakdown cost)
    {
        this.catalog().TryResolve(call.Provider == SpanNormalizer.Unknown ? null : call.Provider, call.ToolName!, call.EndTimeUtc, out var price);
        cost = CostCalculator.Calculate(call, price);
        return cost.IsPriced;
    }

    private CallLabelSet LabelsOf(in GenAiCall call, TenantLabelSet tenant) =>
        this.labelSets.Get(call.Provider, call.Model, call.Operation, call.UseCase, tenant.Tier, call.Cache);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddToTask(TaskState task, in GenAiCall call, decimal cost, bool isModelCall, in TaskRootFinder finder, string tenantLabel, string tier)
    {
        var exceeded = false;
        long tokens;
        lock (task)
        {
            task.CostUsd += cost;
            task.LastSeenUtc = call.EndTimeUtc;
            if (isModelCall)
            {
                task.ModelCalls++;
                task.Tokens += call.TotalTokens;
                finder.MarkAgentsWithInference(task);
            }

            if (call.Kind == OperationKind.Tool)
            {
                task.ToolCalls++;
            }

            if (call.IsError)
            {
                task.FailedCalls++;
            }

            if (task.TenantLabel is null && call.Tenant != SpanNormalizer.Unknown)
            {
                task.Tenant = call.Tenant;
                task.TenantLabel = tenantLabel;
                task.Tier = tier;
            }

            if (task.UseCase is null && call.UseCase != SpanNormalizer.Unknown)
            {
                task.UseCase = call.UseCase;
            }

            tokens = task.Tokens;
            if (!task.BudgetExceeded && this.Options.Budgets.MaxTokensPerTask is { } limit && tokens > limit)
            {
                task.BudgetExceeded = exceeded = true;
            }
        }

        if (exceeded)
        {
            this.Notify(new BudgetExceeded(BudgetScope.Task, task.Key.RootSpanId.ToHexString(), task.TenantLabel ?? tenantLabel, task.Tier ?? tier,
                task.UseCase ?? call.UseCase, this.Options.Budgets.MaxTokensPerTask!.Value, tokens));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CloseTask(in GenAiCall root, string tenantLabel, string tier)
    {
        var key = new TaskKey(root.TraceId, root.SpanId);
        AgentTaskSummary summary;
        if (this.tasks.TryClose(key, out var state) && state is not null)
        {
            lock (state)
            {
                var known = root.Tenant != SpanNormalizer.Unknown;
                summary = state.ToSummary(
                    root.AgentName ?? state.AgentName ?? SpanNormalizer.Unknown,
                    known ? tenantLabel : state.TenantLabel ?? tenantLabel,
                    known ? tier : state.Tier ?? tier,
                    root.UseCase != SpanNormalizer.Unknown ? root.UseCase : state.UseCase ?? root.UseCase,
                    state.BudgetExceeded ? "budget_exceeded" : root.IsError ? "error" : "ok",
                    root.EndTimeUtc,
                    byTimeout: false) with { StartUtc = root.StartTimeUtc };
            }
        }
        else
        {
            // A root with nothing priced under it is still a task (it may have failed before any call).
            summary = new AgentTaskSummary(root.TraceId, root.SpanId, root.AgentName ?? SpanNormalizer.Unknown, tenantLabel, tier, root.UseCase,
                root.IsError ? "error" : "ok", 0, 0, 0, root.IsError ? 1 : 0, 0, root.StartTimeUtc, root.EndTimeUtc, false);
        }

        this.Notify(summary);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ApplyBudgets(in GenAiCall call, in CallCost record, bool priced)
    {
        var options = this.Options.Budgets;
        if (options.MaxTokensPerSession is { } sessionLimit && call.ConversationId is { } session
            && this.Budgets.AddSessionTokens(session, call.TotalTokens, call.EndTimeUtc, out var sessionUsed))
        {
            this.Notify(new BudgetExceeded(BudgetScope.Session, session, record.TenantLabel, record.Tier, call.UseCase, sessionLimit, sessionUsed));
        }

        if (priced && options.MaxUsdPerTenantPerMonth is { } tenantLimit
            && this.Budgets.AddTenantSpend(call.Tenant, record.Cost.Total, call.EndTimeUtc, out var tenantUsed))
        {
            this.Notify(new BudgetExceeded(BudgetScope.Tenant, call.Tenant, record.TenantLabel, record.Tier, call.UseCase, tenantLimit, tenantUsed));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReportUnpriced(in GenAiCall call)
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

    private void Notify(in CallCost record)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnCall(record);
        }
    }

    private void Notify(in AgentTaskSummary summary)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnAgentTask(summary);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Notify(RejectReason reason)
    {
        UnitEconomicsEventSource.Log.SpanRejected(reason.ToLabel());
        foreach (var sink in this.sinks)
        {
            sink.OnRejected(reason);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NotifyOverflow()
    {
        foreach (var sink in this.sinks)
        {
            sink.OnTenantOverflow();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Notify(in BudgetExceeded exceeded)
    {
        foreach (var sink in this.sinks)
        {
            sink.OnBudgetExceeded(exceeded);
        }

        try
        {
            this.BudgetExceeded?.Invoke(this, exceeded);
        }
        catch (Exception ex)
        {
            // The app's handler failing must not stop pricing.
            this.logger.LogError(ex, "A BudgetExceeded handler threw.");
        }
    }

    /// <summary>Finds the outermost task root among the ancestors and remembers the agent spans on the way.</summary>
    private struct TaskRootFinder : IAncestorVisitor
    {
        private AgentBuffer agents;
        private int agentCount;

        public bool Found;
        public ActivitySpanId OutermostRoot;
        public string? OutermostAgent;

        public void Visit(in AncestorInfo ancestor)
        {
            if (!ancestor.IsTaskRoot)
            {
                return;
            }

            this.Found = true;
            this.OutermostRoot = ancestor.SpanId;
            this.OutermostAgent = ancestor.AgentName;
            if (this.agentCount < AgentBuffer.Length)
            {
                this.agents[this.agentCount++] = ancestor.SpanId;
            }
        }

        public readonly void MarkAgentsWithInference(TaskState task)
        {
            for (var i = 0; i < this.agentCount; i++)
            {
                task.MarkInferenceBelow(this.agents[i]);
            }
        }
    }

    [InlineArray(Length)]
    private struct AgentBuffer
    {
        public const int Length = 8;
        private ActivitySpanId element;
    }
}
