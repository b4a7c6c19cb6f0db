using System.Collections.Concurrent;
using System.Diagnostics;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Requests;

/// <summary>Identifies a user request: its trace and its local root (default in the service, where the trace is the request).</summary>
internal readonly record struct RequestKey(ActivityTraceId TraceId, ActivitySpanId RootSpanId);

/// <summary>
/// Adds priced calls up into user requests (DESIGN §7a) until the request ends: in-process when its local
/// root ends, in the service when its trace has been accounted; a request whose end never comes is closed
/// with the idle agent tasks. A request that is one call, its own root, is summed without being held.
/// Each request has its own lock, as agent tasks do.
/// </summary>
internal sealed class UserRequestRollup
{
    private readonly ConcurrentDictionary<RequestKey, RequestState> open = new();

    // ConcurrentDictionary.Count takes every lock: the engine asks this counter whether anything is open.
    private int openCount;

    public int OpenCount => Volatile.Read(ref this.openCount);

    /// <summary>Adds a priced call to the request <paramref name="key"/>, opening it on its first call.</summary>
    public void Add(RequestKey key, in PricedCall call)
    {
        while (true)
        {
            if (!this.open.TryGetValue(key, out var state))
            {
                var created = new RequestState(call.Call.StartTimeUtc);
                if (!this.open.TryAdd(key, created))
                {
                    continue; // another thread opened it first
                }

                Interlocked.Increment(ref this.openCount);
                state = created;
            }

            lock (state)
            {
                if (!state.Closed)
                {
                    state.Add(call);
                    return;
                }
            }

            // Closed between the lookup and the lock: this call starts the request again (counted, as late calls are).
        }
    }

    /// <summary>
    /// Ends the request <paramref name="key"/>, whose root is the call <paramref name="root"/> (added first
    /// when <paramref name="rootPriced"/>); null when nothing priced ran under it. A request that is its
    /// root alone, the usual single call, is summed without being held.
    /// </summary>
    public UserRequestSummary? End(RequestKey key, in PricedCall root, bool rootPriced, DateTime endUtc)
    {
        var state = this.Take(key);
        if (state is null)
        {
            return rootPriced ? RequestState.Summarize(key, root, endUtc) : null;
        }

        lock (state)
        {
            if (rootPriced)
            {
                state.Add(root);
            }

            return state.ToSummary(key, endUtc, byTimeout: false);
        }
    }

    /// <summary>Ends a request whose root is not a call (an HTTP server span, the trace); null when nothing priced ran under it.</summary>
    public UserRequestSummary? End(RequestKey key, DateTime endUtc)
    {
        if (this.Take(key) is not { } state)
        {
            return null;
        }

        lock (state)
        {
            return state.ToSummary(key, endUtc, byTimeout: false);
        }
    }

    /// <summary>Closes requests idle since before <paramref name="cutoffUtc"/>; <see cref="DateTime.MaxValue"/> closes all.</summary>
    public List<UserRequestSummary> CloseIdle(DateTime cutoffUtc)
    {
        var closed = new List<UserRequestSummary>();
        if (this.OpenCount == 0)
        {
            return closed;
        }

        foreach (var (key, state) in this.open)
        {
            DateTime lastSeen;
            lock (state)
            {
                lastSeen = state.LastSeenUtc;
            }

            if (lastSeen < cutoffUtc && this.Take(key) is { } taken)
            {
                lock (taken)
                {
                    closed.Add(taken.ToSummary(key, taken.LastSeenUtc, byTimeout: true));
                }
            }
        }

        return closed;
    }

    /// <summary>Removes a request from the open ones and marks it closed; null when it is not open.</summary>
    private RequestState? Take(RequestKey key)
    {
        if (this.OpenCount == 0 || !this.open.TryRemove(key, out var state))
        {
            return null;
        }

        Interlocked.Decrement(ref this.openCount);
        lock (state)
        {
            state.Closed = true;
        }

        return state;
    }

    /// <summary>One request's running totals. Guarded by its own lock.</summary>
    private sealed class RequestState(DateTime startUtc)
    {
        private decimal cost;
        private int calls;
        private int shapeCalls;
        private int inference;
        private int retrieval;
        private bool hasTask;
        private string? tenantLabel;
        private string? tier;
        private string? useCase;
        private (string TenantLabel, string Tier, string UseCase)? first;

        /// <summary>Taken out of the open requests: a caller that still holds it starts a new one.</summary>
        public bool Closed { get; set; }

        public DateTime StartUtc { get; private set; } = startUtc;

        public DateTime LastSeenUtc { get; private set; } = startUtc;

        public void Add(in PricedCall priced)
        {
            ref readonly var call = ref priced.Call;
            this.cost += priced.Cost;
            this.calls++;
            if (!priced.IsCacheLookup)
            {
                // A free semantic-cache lookup is counted but says nothing about what the request was.
                var (inference, retrieval) = Kind(call);
                this.shapeCalls++;
                this.inference += inference ? 1 : 0;
                this.retrieval += retrieval ? 1 : 0;
            }

            this.hasTask |= priced.InTask;
            this.StartUtc = call.StartTimeUtc < this.StartUtc ? call.StartTimeUtc : this.StartUtc;
            this.LastSeenUtc = call.EndTimeUtc > this.LastSeenUtc ? call.EndTimeUtc : this.LastSeenUtc;
            this.first ??= (priced.TenantLabel, priced.Tier, call.UseCase);
            if (this.tenantLabel is null && call.Tenant != SpanNormalizer.Unknown)
            {
                (this.tenantLabel, this.tier) = (priced.TenantLabel, priced.Tier);
            }

            if (this.useCase is null && call.UseCase != SpanNormalizer.Unknown)
            {
                this.useCase = call.UseCase;
            }
        }

        /// <summary>A request of one call: the same figures <see cref="Add"/> and <see cref="ToSummary"/> would give, without a state.</summary>
        public static UserRequestSummary Summarize(RequestKey key, in PricedCall priced, DateTime endUtc)
        {
            ref readonly var call = ref priced.Call;
            var (inference, retrieval) = priced.IsCacheLookup ? (false, false) : Kind(call);
            var shape = Shape(priced.InTask, inference ? 1 : 0, retrieval ? 1 : 0, priced.IsCacheLookup ? 0 : 1);
            return new UserRequestSummary(
                key.TraceId, key.RootSpanId, priced.TenantLabel, priced.Tier, call.UseCase, shape, priced.Cost, 1,
                inference ? 1 : 0, retrieval ? 1 : 0, call.StartTimeUtc, endUtc > call.EndTimeUtc ? endUtc : call.EndTimeUtc, false);
        }

        public UserRequestSummary ToSummary(RequestKey key, DateTime endUtc, bool byTimeout)
        {
            var shape = Shape(this.hasTask, this.inference, this.retrieval, this.shapeCalls);

            // The first call that names a tenant (or use case) attributes the request; until one does, the first call's labels stand.
            var (tenant, tier, useCase) = this.first ?? (SpanNormalizer.Unknown, TenantDirectory.UnknownTier, SpanNormalizer.Unknown);
            return new UserRequestSummary(
                key.TraceId,
                key.RootSpanId,
                this.tenantLabel ?? tenant,
                this.tier ?? tier,
                this.useCase ?? useCase,
                shape,
                this.cost,
                this.calls,
                this.inference,
                this.retrieval,
                this.StartUtc,
                endUtc > this.LastSeenUtc ? endUtc : this.LastSeenUtc,
                byTimeout);
        }

        /// <summary>The shape rule of DESIGN §7a, from a request's counts (cache lookups not among <paramref name="shapeCalls"/>).</summary>
        private static string Shape(bool hasTask, int inference, int retrieval, int shapeCalls) =>
            hasTask ? RequestShape.Agent
            : retrieval > 0 && inference > 0 ? RequestShape.Rag
            : inference == 1 && shapeCalls == 1 ? RequestShape.SingleShot
            : RequestShape.Other;

        /// <summary>A completion (not an embedding), and a retrieval step (a vector search or an embedding): what a RAG query is made of.</summary>
        private static (bool Inference, bool Retrieval) Kind(in GenAiCall call)
        {
            var embeddings = ReferenceEquals(call.Operation, GenAiAttributes.Operations.Embeddings);
            return (call.Kind == OperationKind.Inference && !embeddings, embeddings || ReferenceEquals(call.Operation, GenAiAttributes.Operations.Retrieval));
        }
    }
}

/// <summary>A priced call as a request adds it: the call, its cost, its attribution, and whether it ran in an agent task.</summary>
internal readonly ref struct PricedCall
{
    private readonly ref readonly GenAiCall call;

    public PricedCall(ref readonly GenAiCall call, decimal cost, bool isCacheLookup, bool inTask, string tenantLabel, string tier)
    {
        this.call = ref call;
        this.Cost = cost;
        this.IsCacheLookup = isCacheLookup;
        this.InTask = inTask;
        this.TenantLabel = tenantLabel;
        this.Tier = tier;
    }

    public ref readonly GenAiCall Call => ref this.call;

    public decimal Cost { get; }

    public bool IsCacheLookup { get; }

    public bool InTask { get; }

    public string TenantLabel { get; }

    public string Tier { get; }
}
