using System.Collections.Concurrent;

namespace UnitEconomics.Otel.Budgets;

/// <summary>
/// Session and tenant budgets (task budgets live with the task's rollup). Each counter crosses its
/// limit once: the crossing is reported exactly once, so the counter and the event agree.
/// </summary>
public sealed class BudgetTracker
{
    private readonly BudgetOptions options;
    private readonly ConcurrentDictionary<string, Usage> sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Usage> tenants = new(StringComparer.Ordinal);
    private int sessionCount;

    public BudgetTracker(BudgetOptions options)
    {
        this.options = options;
    }

    public BudgetOptions Options => this.options;

    /// <summary>Adds tokens to a session; true exactly once, on the call that crosses the limit.</summary>
    public bool AddSessionTokens(string session, long tokens, DateTime atUtc, out decimal used)
    {
        used = 0;
        if (this.options.MaxTokensPerSession is not { } limit)
        {
            return false;
        }

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

        return usage.Add(tokens, limit, atUtc, period: 0, out used);
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
        return usage.Add(usd, limit, atUtc, period: (atUtc.Year * 12) + atUtc.Month, out used);
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
            && u.IsOver(limit, (atUtc.Year * 12) + atUtc.Month, out used);
    }

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

    private sealed class Usage
    {
        private decimal used;
        private int period;
        private bool crossed;

        public DateTime LastSeenUtc { get; private set; }

        public bool Add(decimal amount, decimal limit, DateTime atUtc, int period, out decimal total)
        {
            lock (this)
            {
                if (period != this.period)
                {
                    this.period = period;
                    this.used = 0;
                    this.crossed = false;
                }

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
