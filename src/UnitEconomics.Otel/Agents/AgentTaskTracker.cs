using System.Collections.Concurrent;
using System.Diagnostics;

namespace UnitEconomics.Otel.Agents;

/// <summary>Identifies an agent task: its trace and the span id of its root.</summary>
public readonly record struct TaskKey(ActivityTraceId TraceId, ActivitySpanId RootSpanId);

/// <summary>
/// Open agent tasks, rolled up call by call until their root ends (or they sit idle past the timeout,
/// for roots that never arrive). Each task has its own lock; tasks never contend with each other or
/// with calls outside tasks.
/// </summary>
internal sealed class AgentTaskTracker
{
    private readonly ConcurrentDictionary<TaskKey, TaskState> open = new();
    private readonly int maxOpenTasks;

    // ConcurrentDictionary.Count takes every lock; the bound is checked against this counter instead.
    private int openCount;

    public AgentTaskTracker(int maxOpenTasks)
    {
        this.maxOpenTasks = Math.Max(1, maxOpenTasks);
    }

    public int OpenCount => Volatile.Read(ref this.openCount);

    /// <summary>The task's state, created on its first call. Null when the open-task bound is reached.</summary>
    public TaskState? GetOrOpen(TaskKey key, string? agentName, DateTime startUtc)
    {
        if (this.open.TryGetValue(key, out var state))
        {
            return state;
        }

        if (Volatile.Read(ref this.openCount) >= this.maxOpenTasks)
        {
            return null;
        }

        var created = new TaskState(key, agentName, startUtc);
        if (this.open.TryAdd(key, created))
        {
            Interlocked.Increment(ref this.openCount);
            return created;
        }

        return this.open.TryGetValue(key, out state) ? state : null;
    }

    public bool TryGet(TaskKey key, out TaskState? state) => this.open.TryGetValue(key, out state);

    /// <summary>Removes the task for closing; false when another thread closed it first.</summary>
    public bool TryClose(TaskKey key, out TaskState? state)
    {
        if (this.open.TryRemove(key, out state))
        {
            Interlocked.Decrement(ref this.openCount);
            return true;
        }

        return false;
    }

    /// <summary>Tasks whose last call is older than <paramref name="cutoffUtc"/> (all of them with <see cref="DateTime.MaxValue"/>).</summary>
    public List<TaskState> TakeIdle(DateTime cutoffUtc)
    {
        var idle = new List<TaskState>();
        foreach (var (key, state) in this.open)
        {
            if (state.LastSeenUtc < cutoffUtc && this.TryClose(key, out var removed))
            {
                idle.Add(removed!);
            }
        }

        return idle;
    }
}

/// <summary>The running totals of one agent task. Mutated under <c>lock (state)</c>.</summary>
internal sealed class TaskState
{
    private HashSet<ActivitySpanId>? agentsWithInference;

    public TaskState(TaskKey key, string? agentName, DateTime startUtc)
    {
        this.Key = key;
        this.AgentName = agentName;
        this.StartUtc = startUtc;
        this.LastSeenUtc = startUtc;
    }

    public TaskKey Key { get; }

    public string? AgentName { get; set; }

    public DateTime StartUtc { get; set; }

    public DateTime LastSeenUtc { get; set; }

    public decimal CostUsd { get; set; }

    public int ModelCalls { get; set; }

    public int ToolCalls { get; set; }

    public int FailedCalls { get; set; }

    public long Tokens { get; set; }

    public bool BudgetExceeded { get; set; }

    /// <summary>Attribution of the task when its root does not say: from its first priced call.</summary>
    public string? Tenant { get; set; }

    public string? TenantLabel { get; set; }

    public string? Tier { get; set; }

    public string? UseCase { get; set; }

    public void MarkInferenceBelow(ActivitySpanId agentSpan) => (this.agentsWithInference ??= []).Add(agentSpan);

    public bool HasInferenceBelow(ActivitySpanId agentSpan) => this.agentsWithInference?.Contains(agentSpan) == true;

    public AgentTaskSummary ToSummary(string agent, string tenantLabel, string tier, string useCase, string outcome, DateTime endUtc, bool byTimeout) =>
        new(this.Key.TraceId, this.Key.RootSpanId, agent, tenantLabel, tier, useCase, outcome, this.CostUsd, this.ModelCalls,
            this.ToolCalls, this.FailedCalls, this.Tokens, this.StartUtc, endUtc, byTimeout);
}
