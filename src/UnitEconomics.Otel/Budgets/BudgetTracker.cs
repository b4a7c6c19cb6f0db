using System.Collections.Concurrent;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Budgets;

/// <summary>
/// Session and tenant budgets (task budgets live with the task's rollup). Each counter crosses its
/// limit once: the crossing is reported exactly once, so the counter and the event agree.
/// </summary>
internal sealed class BudgetTracker
{
    private readonly BudgetOptions options;
    private readonly ConcurrentDictionary<string, Usage> sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Usage> tenants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Agents.TaskKey, TaskHold> taskHolds = new();
    private int sessionCount;

    public BudgetTracker(BudgetOptions options)
    {
        this.options = options;
    }

    public BudgetOptions Options => this.options;

    /// <summary>Whether any session or tenant budget is set (else the engine skips <see cref="Add"/>).</summary>
    internal bool LimitsCalls => this.options.MaxTokensPerSession is not null || this.options.MaxUsdPerTenantPerMonth is not null;

    /// <summary>
    /// Adds an accounted call to its session's tokens and (when priced) its tenant's month; each budget
    /// it takes over its limit comes back once, in <paramref name="session"/> or <paramref name="tenant"/>.
    /// </summary>
    internal void Add(in GenAiCall call, decimal cost, bool priced, string tenantLabel, string tier, out BudgetExceeded? session, out BudgetExceeded? tenant)
    {
        session = tenant = null;
        if (this.options.MaxTokensPerSession is { } sessionLimit && call.ConversationId is { } conversation
            && this.AddSessionTokens(conversation, call.TotalTokens, call.EndTimeUtc, out var sessionUsed))
        {
            session = new BudgetExceeded(BudgetScope.Session, conversation, tenantLabel, tier, call.UseCase, sessionLimit, sessionUsed);
        }

        if (priced && this.options.MaxUsdPerTenantPerMonth is { } tenantLimit
            && this.AddTenantSpend(call.Tenant, cost, call.EndTimeUtc, out var tenantUsed))
        {
            tenant = new BudgetExceeded(BudgetScope.Tenant, call.Tenant, tenantLabel, tier, call.UseCase, tenantLimit, tenantUsed);
        }
    }

    /// <summary>Adds tokens to a session; true exactly once, on the call that crosses the limit.</summary>
    public bool AddSessionTokens(string session, long tokens, DateTime atUtc, out decimal used)
    {
        used = 0;
        if (this.options.MaxTokensPerSession is not { } limit)
        {
            return false;
        }

        return this.SessionUsage(session).Add(tokens, limit, atUtc, period: 0, out used);
    }

    private Usage SessionUsage(string session)
    {
        if (!this.sessions.TryGetValue(session, out var usage))
        {
            // ConcurrentDictionary.Count takes every lock: the bound is checked against a counter.
            if (Volatile.Read(ref this.sessionCount) >= this.options.MaxTrackedSessions)
            {
                this.EvictOldestSessions();
            }

            usage = new Usage();
            if (this.sessions.TryAdd(session, usage))
            {
                Interlocked.Increment(ref this.sessionCount);
            }
            else
            {
                usage = this.sessions.GetOrAdd(session, usage);
            }
        }

        return usage;
    }

    /// <summary>Adds spend to a tenant's month; true exactly once per month, on the call that crosses the limit.</summary>
    public bool AddTenantSpend(string tenant, decimal usd, DateTime atUtc, out decimal used)
    {
        used = 0;
        if (this.options.MaxUsdPerTenantPerMonth is not { } limit)
        {
            return false;
        }

        var usage = this.tenants.GetOrAdd(tenant, static _ => new Usage());
        return usage.Add(usd, limit, atUtc, period: MonthOf(atUtc), out used);
    }

    /// <summary>
    /// Holds <paramref name="tokens"/> of a session's budget for a call about to be made; false (nothing
    /// held) when what is spent and held already reaches the limit. Release with <see cref="ReleaseSession"/>.
    /// </summary>
    public bool TryReserveSession(string session, long tokens, out decimal committed)
    {
        committed = 0;
        if (this.options.MaxTokensPerSession is not { } limit)
        {
            return true;
        }

        return this.SessionUsage(session).TryReserve(tokens, limit, period: 0, out committed);
    }

    public void ReleaseSession(string session, long tokens)
    {
        if (this.sessions.TryGetValue(session, out var usage))
        {
            usage.Release(tokens);
        }
    }

    /// <summary>
    /// Holds <paramref name="usd"/> of a tenant's budget for the month of <paramref name="nowUtc"/>; false
    /// (nothing held) when what is spent this month and held already reaches the limit.
    /// </summary>
    public bool TryReserveTenant(string tenant, decimal usd, DateTime nowUtc, out decimal committed)
    {
        committed = 0;
        if (this.options.MaxUsdPerTenantPerMonth is not { } limit)
        {
            return true;
        }

        var usage = this.tenants.GetOrAdd(tenant, static _ => new Usage());
        return usage.TryReserve(usd, limit, MonthOf(nowUtc), out committed);
    }

    public void ReleaseTenant(string tenant, decimal usd)
    {
        if (this.tenants.TryGetValue(tenant, out var usage))
        {
            usage.Release(usd);
        }
    }

    /// <summary>Holds tokens of an agent task's budget, against what the task has used (<paramref name="taskTokens"/>, read under the hold's lock).</summary>
    internal bool TryReserveTask(Agents.TaskKey task, long tokens, Func<long> taskTokens, out decimal committed)
    {
        committed = 0;
        if (this.options.MaxTokensPerTask is not { } limit)
        {
            return true;
        }

        while (true)
        {
            var hold = this.taskHolds.GetOrAdd(task, static _ => new TaskHold());
            lock (hold)
            {
                if (hold.Removed)
                {
                    continue; // emptied and removed meanwhile: take the new one
                }

                committed = taskTokens() + hold.Tokens;
                if (committed >= limit)
                {
                    return false;
                }

                hold.Tokens += tokens;
                return true;
            }
        }
    }

    internal void ReleaseTask(Agents.TaskKey task, long tokens)
    {
        if (!this.taskHolds.TryGetValue(task, out var hold))
        {
            return;
        }

        lock (hold)
        {
            hold.Tokens -= tokens;
            if (hold.Tokens <= 0 && !hold.Removed)
            {
                // The task's own rollup keeps what was spent; only the holds in flight live here.
                hold.Removed = true;
                this.taskHolds.TryRemove(new KeyValuePair<Agents.TaskKey, TaskHold>(task, hold));
            }
        }
    }

    public bool IsSessionOverBudget(string session, out decimal used)
    {
        used = 0;
        return this.options.MaxTokensPerSession is { } limit && this.sessions.TryGetValue(session, out var u) && u.IsOver(limit, 0, out used);
    }

    public bool IsTenantOverBudget(string tenant, DateTime atUtc, out decimal used)
    {
        used = 0;
        return this.options.MaxUsdPerTenantPerMonth is { } limit && this.tenants.TryGetValue(tenant, out var u)
            && u.IsOver(limit, MonthOf(atUtc), out used);
    }

    /// <summary>The tenant budget's window: the calendar month in UTC.</summary>
    private static int MonthOf(DateTime utc) => (utc.Year * 12) + utc.Month;

    private void EvictOldestSessions()
    {
        // Rare (only at the bound): drop the least recently used tenth rather than one at a time.
        var victims = this.sessions.OrderBy(kv => kv.Value.LastSeenUtc).Take(Math.Max(1, this.options.MaxTrackedSessions / 10)).Select(kv => kv.Key).ToList();
        foreach (var key in victims)
        {
            if (this.sessions.TryRemove(key, out _))
            {
                Interlocked.Decrement(ref this.sessionCount);
            }
        }
    }

    /// <summary>Tokens held for the calls of one agent task in flight.</summary>
    private sealed class TaskHold
    {
        public long Tokens;
        public bool Removed;
    }

    /// <summary>
    /// What one session or tenant has spent in its current window, and what calls in flight hold of it
    /// (their worst case, until their real cost is added and the hold released).
    /// </summary>
    private sealed class Usage
    {
        private decimal used;
        private decimal reserved;
        private int period;
        private bool crossed;

        public DateTime LastSeenUtc { get; private set; }

        public bool TryReserve(decimal amount, decimal limit, int period, out decimal committed)
        {
            lock (this)
            {
                this.MoveTo(period);
                committed = (period == this.period ? this.used : 0) + this.reserved;
                if (committed >= limit)
                {
                    return false;
                }

                this.reserved += amount;
                return true;
            }
        }

        public void Release(decimal amount)
        {
            lock (this)
            {
                this.reserved = Math.Max(0, this.reserved - amount);
            }
        }

        public bool Add(decimal amount, decimal limit, DateTime atUtc, int period, out decimal total)
        {
            lock (this)
            {
                if (period < this.period)
                {
                    // A call of a past window priced late: it does not count against the current one.
                    total = this.used;
                    return false;
                }

                this.MoveTo(period);

                this.used += amount;
                this.LastSeenUtc = atUtc;
                total = this.used;
                if (!this.crossed && this.used > limit)
                {
                    this.crossed = true;
                    return true;
                }

                return false;
            }
        }

        /// <summary>A later window starts empty; holds in flight stay (they are released by amount).</summary>
        private void MoveTo(int period)
        {
            if (period > this.period)
            {
                this.period = period;
                this.used = 0;
                this.crossed = false;
            }
        }

        public bool IsOver(decimal limit, int period, out decimal total)
        {
            lock (this)
            {
                total = period == this.period ? this.used : 0;
                return total > limit;
            }
        }
    }
}
