using System.Diagnostics;
using System.Runtime.CompilerServices;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Agents;

/// <summary>
/// Rolls priced calls up into agent tasks (DESIGN §7): finds the task a call belongs to through its
/// ancestry (the outermost task root above it), adds the call to the task, and closes the task when its
/// root is accounted (or when it sits idle, for roots that never arrive). The engine decides what a call
/// costs; this decides which task it counts for and what the task adds up to.
/// </summary>
internal sealed class AgentTaskRollup
{
    private readonly AgentTaskTracker tasks;
    private readonly long? maxTokensPerTask;

    public AgentTaskRollup(int maxOpenTasks, long? maxTokensPerTask)
    {
        this.tasks = new AgentTaskTracker(maxOpenTasks);
        this.maxTokensPerTask = maxTokensPerTask;
    }

    public int OpenCount => this.tasks.OpenCount;

    /// <summary>
    /// Where <paramref name="call"/> stands: the task it belongs to (opened on its first call; null when
    /// it is in none or the open-task bound is reached), and whether it is the outermost root of one.
    /// </summary>
    public TaskPlace Locate<TAncestry>(in GenAiCall call, in TAncestry ancestry, bool startsTask)
        where TAncestry : struct, ISpanAncestry
    {
        var place = default(TaskPlace);
        ancestry.VisitAncestors(ref place.Finder);
        place.IsOutermostRoot = startsTask && !place.Finder.Found;
        if (place.Finder.Found)
        {
            place.Task = this.tasks.GetOrOpen(new TaskKey(call.TraceId, place.Finder.OutermostRoot), place.Finder.OutermostAgent, call.StartTimeUtc);
        }
        else if (place.IsOutermostRoot)
        {
            this.tasks.TryGet(new TaskKey(call.TraceId, call.SpanId), out place.Task);
        }

        return place;
    }

    /// <summary>Whether an inference call below <paramref name="agentSpan"/> was seen (a remote agent's own totals would then count its tokens twice).</summary>
    public static bool HasInferenceBelow(TaskState task, ActivitySpanId agentSpan)
    {
        lock (task)
        {
            return task.HasInferenceBelow(agentSpan);
        }
    }

    /// <summary>A remote agent priced from its own totals: the task is its one call.</summary>
    public TaskState? OpenForRoot(in GenAiCall root) =>
        this.tasks.GetOrOpen(new TaskKey(root.TraceId, root.SpanId), root.AgentName, root.StartTimeUtc);

    /// <summary>
    /// Adds a call to its task; true exactly once, when the task goes over its token budget, with the
    /// task's attribution and tokens in <paramref name="crossing"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool Add(in TaskPlace place, in GenAiCall call, decimal cost, bool isModelCall, string tenantLabel, string tier, out TaskBudgetCrossing crossing)
    {
        var task = place.Task!;
        var crossed = false;
        long tokens;
        lock (task)
        {
            task.CostUsd += cost;
            task.LastSeenUtc = call.EndTimeUtc;
            if (isModelCall)
            {
                task.ModelCalls++;
                task.Tokens += call.TotalTokens;
                place.Finder.MarkAgentsWithInference(task);
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
            if (!task.BudgetExceeded && this.maxTokensPerTask is { } limit && tokens > limit)
            {
                task.BudgetExceeded = crossed = true;
            }
        }

        crossing = crossed
            ? new TaskBudgetCrossing(task.Key.RootSpanId.ToHexString(), task.TenantLabel ?? tenantLabel, task.Tier ?? tier, task.UseCase ?? call.UseCase, this.maxTokensPerTask!.Value, tokens)
            : default;
        return crossed;
    }

    /// <summary>Closes the task <paramref name="root"/> starts: its rollup, attributed by the root where the root says.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public AgentTaskSummary Close(in GenAiCall root, string tenantLabel, string tier)
    {
        if (this.tasks.TryClose(new TaskKey(root.TraceId, root.SpanId), out var state) && state is not null)
        {
            lock (state)
            {
                var known = root.Tenant != SpanNormalizer.Unknown;
                return state.ToSummary(
                    root.AgentName ?? state.AgentName ?? SpanNormalizer.Unknown,
                    known ? tenantLabel : state.TenantLabel ?? tenantLabel,
                    known ? tier : state.Tier ?? tier,
                    root.UseCase != SpanNormalizer.Unknown ? root.UseCase : state.UseCase ?? root.UseCase,
                    state.BudgetExceeded ? "budget_exceeded" : root.IsError ? "error" : "ok",
                    root.EndTimeUtc,
                    byTimeout: false) with { StartUtc = root.StartTimeUtc };
            }
        }

        // A root with nothing priced under it is still a task (it may have failed before any call).
        return new AgentTaskSummary(root.TraceId, root.SpanId, root.AgentName ?? SpanNormalizer.Unknown, tenantLabel, tier, root.UseCase,
            root.IsError ? "error" : "ok", 0, 0, 0, root.IsError ? 1 : 0, 0, root.StartTimeUtc, root.EndTimeUtc, false);
    }

    /// <summary>Closes tasks idle since before <paramref name="cutoffUtc"/>; <see cref="DateTime.MaxValue"/> closes all.</summary>
    public List<AgentTaskSummary> CloseIdle(DateTime cutoffUtc)
    {
        var closed = new List<AgentTaskSummary>();
        foreach (var state in this.tasks.TakeIdle(cutoffUtc))
        {
            lock (state)
            {
                closed.Add(state.ToSummary(
                    state.AgentName ?? SpanNormalizer.Unknown,
                    state.TenantLabel ?? SpanNormalizer.Unknown,
                    state.Tier ?? TenantDirectory.UnknownTier,
                    state.UseCase ?? SpanNormalizer.Unknown,
                    state.BudgetExceeded ? "budget_exceeded" : "ok",
                    state.LastSeenUtc,
                    byTimeout: true));
            }
        }

        return closed;
    }

    /// <summary>Whether the task has gone over its token budget, and its tokens so far.</summary>
    public bool IsOverBudget(TaskKey key, out long tokens)
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

    /// <summary>Tokens the task has used so far (0 before its first priced call): what the budget middleware reserves against.</summary>
    public long TokensOf(TaskKey key)
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
}

/// <summary>A task that went over its token budget: the root span id, the task's attribution, the limit and its tokens.</summary>
internal readonly record struct TaskBudgetCrossing(string RootSpanId, string TenantLabel, string Tier, string UseCase, long Limit, long Tokens);

/// <summary>Where a call stands among agent tasks: its task, and whether it is the outermost root of one.</summary>
internal struct TaskPlace
{
    public TaskRootFinder Finder;
    public TaskState? Task;
    public bool IsOutermostRoot;

    /// <summary>Whether the call is inside a task root above it (not single-shot).</summary>
    public readonly bool InsideTask => this.Finder.Found;
}

/// <summary>Finds the outermost task root among the ancestors and remembers the agent spans on the way.</summary>
internal struct TaskRootFinder : IAncestorVisitor
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

    [InlineArray(Length)]
    private struct AgentBuffer
    {
        public const int Length = 8;
        private ActivitySpanId element;
    }
}
