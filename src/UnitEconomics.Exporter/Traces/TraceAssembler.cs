using System.Diagnostics;
using System.Runtime.InteropServices;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// One worker's traces in flight. Each span is read by the engine as it is taken from its batch
/// (<see cref="CostEngine.Read{TSpan}"/>); the trace keeps the calls and every span's parent link.
/// Spans of a trace arrive in any order and over many requests (an SDK exports a child before its
/// parent has ended), so the calls are accounted once the root has arrived and a settle delay passed,
/// after an idle timeout when the root never comes, or early when the bound on traces in flight is
/// reached: children first, with their ancestry (<see cref="CostEngine.Account{TAncestry}"/>).
/// Not thread-safe: one worker owns it.
/// </summary>
internal sealed class TraceAssembler
{
    private readonly CostEngine engine;
    private readonly TimeProvider time;
    private readonly TimeSpan settleDelay;
    private readonly TimeSpan idleTimeout;
    private readonly int maxTraces;
    private readonly Dictionary<RawTraceId, TraceBuffer> traces = [];
    private readonly Stack<TraceBuffer> pool = new();
    private readonly LabelTable labels = new();

    // Least recently active first: the idle timeout and the bound both take from the head.
    private readonly LinkedList<TraceBuffer> byActivity = new();

    // Traces whose root arrived, in the order it did (the settle delay is the same for all). A buffer
    // processed early is reused: an entry whose version is no longer the buffer's is stale.
    private readonly Queue<(TraceBuffer Trace, int Version)> rooted = new();

    // Reused for every trace replayed: this worker replays one trace at a time.
    private readonly List<ReplayEntry> replay = [];
    private long[] effectiveEnd = new long[16];
    private ActivitySpanId[] ids = new ActivitySpanId[16];

    private volatile int count;
    private long processedEarly;
    private long processedIdle;

    public TraceAssembler(CostEngine engine, TimeProvider time, TimeSpan settleDelay, TimeSpan idleTimeout, int maxTraces)
    {
        this.engine = engine;
        this.time = time;
        this.settleDelay = settleDelay;
        this.idleTimeout = idleTimeout;
        this.maxTraces = Math.Max(1, maxTraces);
    }

    public int TracesInFlight => this.count;

    /// <summary>Traces processed before their root came because the bound was reached.</summary>
    public long ProcessedEarly => Interlocked.Read(ref this.processedEarly);

    /// <summary>Traces processed at the idle timeout, their root never having come.</summary>
    public long ProcessedIdle => Interlocked.Read(ref this.processedIdle);

    /// <summary>Buffers waiting to be reused (at most one per trace the bound allows).</summary>
    internal int PooledBuffers => this.pool.Count;

    /// <summary>Reads span <paramref name="index"/> of <paramref name="batch"/> into its trace (its ids were checked by the receiver).</summary>
    public void Add(SpanBatch batch, int index, long now)
    {
        ref readonly var span = ref batch.Records[index];
        var traceId = span.TraceId;
        if (!this.traces.TryGetValue(traceId, out var trace))
        {
            if (this.traces.Count >= this.maxTraces && this.byActivity.First is { } oldest)
            {
                this.Process(oldest.Value);
                Interlocked.Increment(ref this.processedEarly);
            }

            trace = this.pool.TryPop(out var pooled) ? pooled : new TraceBuffer(this.labels);
            trace.Open(traceId, now);
            this.traces.Add(traceId, trace);
            this.byActivity.AddLast(trace.ActivityNode);
            this.count = this.traces.Count;
        }
        else
        {
            trace.LastTouched = now;
            this.byActivity.Remove(trace.ActivityNode);
            this.byActivity.AddLast(trace.ActivityNode);
        }

        if (trace.Find(span.SpanId) >= 0)
        {
            return; // the same span sent again (a sender's retry): counted once
        }

        // The one read of the span: a GenAI span becomes its call here (a malformed one is counted as
        // rejected here); any other span stays only as a link in its children's ancestry.
        var isCall = this.engine.Read(new SpanRecordView(batch, index), out var call) == NormalizeResult.Ok;
        trace.Add(span.SpanId, span.Parent, call, isCall);
        if (!span.Parent.Present && trace.RootSeen == 0)
        {
            trace.RootSeen = Math.Max(1, now);
            this.rooted.Enqueue((trace, trace.Version));
        }
    }

    /// <summary>
    /// Processes what is due at <paramref name="now"/>: rooted traces past the settle delay (all rooted
    /// traces with <paramref name="ignoreSettle"/>), and traces idle past the timeout.
    /// </summary>
    public void ProcessDue(long now, bool ignoreSettle = false)
    {
        while (this.rooted.TryPeek(out var entry))
        {
            var trace = entry.Trace;
            if (trace.Version != entry.Version)
            {
                this.rooted.Dequeue(); // processed already (the bound or the idle timeout)
                continue;
            }

            if (!ignoreSettle && this.time.GetElapsedTime(trace.RootSeen, now) < this.settleDelay)
            {
                break;
            }

            this.rooted.Dequeue();
            this.Process(trace);
        }

        while (this.byActivity.First is { } oldest && this.time.GetElapsedTime(oldest.Value.LastTouched, now) >= this.idleTimeout)
        {
            this.Process(oldest.Value);
            Interlocked.Increment(ref this.processedIdle);
        }
    }

    /// <summary>Processes every buffered trace, rooted or not (shutdown, and the bound).</summary>
    public void ProcessAll()
    {
        while (this.byActivity.First is { } oldest)
        {
            this.Process(oldest.Value);
        }

        this.rooted.Clear();
    }

    private void Process(TraceBuffer trace)
    {
        this.traces.Remove(trace.TraceId);
        this.byActivity.Remove(trace.ActivityNode);
        this.count = this.traces.Count;
        try
        {
            if (trace.CallCount > 0)
            {
                this.Replay(trace);
            }
        }
        finally
        {
            trace.Release();
            if (this.pool.Count < this.maxTraces)
            {
                this.pool.Push(trace);
            }
        }
    }

    private void Replay(TraceBuffer trace)
    {
        // Every call before its ancestors': a task's calls are added before its root closes it, and a
        // nested agent learns whether inference ran below it. End times order most of it; a call's end
        // is lifted to its latest descendant's (clock skew between processes), and ties go deepest first.
        var linkCount = trace.LinkCount;
        var entries = this.replay;
        entries.Clear();
        for (var i = 0; i < linkCount; i++)
        {
            ref readonly var link = ref trace.Link(i);
            if (link.Call >= 0)
            {
                entries.Add(new ReplayEntry(i, link.Call, link.Parent, trace.EndTicksOf(link.Call)));
            }
        }

        if (this.effectiveEnd.Length < trace.CallCount)
        {
            this.effectiveEnd = new long[Math.Max(trace.CallCount, this.effectiveEnd.Length * 2)];
        }

        // One walk up from each call gives its depth and lifts its ancestors' ends to its own.
        var effectiveEnd = this.effectiveEnd;
        Array.Clear(effectiveEnd, 0, trace.CallCount);
        var sorted = CollectionsMarshal.AsSpan(entries);
        foreach (ref var entry in sorted)
        {
            effectiveEnd[entry.Call] = Math.Max(effectiveEnd[entry.Call], entry.End);
            var depth = 0;
            for (var id = entry.Parent; id.Present && depth < linkCount; depth++)
            {
                var a = trace.Find(id);
                if (a < 0)
                {
                    break;
                }

                ref readonly var ancestor = ref trace.Link(a);
                if (ancestor.Call >= 0)
                {
                    effectiveEnd[ancestor.Call] = Math.Max(effectiveEnd[ancestor.Call], entry.End);
                }

                id = ancestor.Parent;
            }

            entry.Depth = depth;
        }

        foreach (ref var entry in sorted)
        {
            entry.EffectiveEnd = effectiveEnd[entry.Call];
        }

        sorted.Sort(static (a, b) =>
        {
            var byEnd = a.EffectiveEnd.CompareTo(b.EffectiveEnd);
            return byEnd != 0 ? byEnd : b.Depth.CompareTo(a.Depth);
        });

        if (this.ids.Length < linkCount)
        {
            this.ids = new ActivitySpanId[Math.Max(linkCount, this.ids.Length * 2)];
        }

        // The ids in the engine's hex-string form live only through this replay (kept in a buffer that
        // outlives it, each would mark a card of an old object for the next collection to scan).
        var ids = this.ids;
        var traceId = trace.TraceId.ToActivityTraceId();
        try
        {
            var end = 0L;
            foreach (var entry in sorted)
            {
                var spanId = ids[entry.Link] == default ? ids[entry.Link] = trace.Link(entry.Link).Id.ToActivitySpanId() : ids[entry.Link];
                this.engine.Account(trace.Call(entry.Call, traceId, spanId), new BufferedAncestry(trace, entry.Parent, ids));
                end = Math.Max(end, entry.End);
            }

            // The trace is the user request (DESIGN §7a): every call of it is in.
            this.engine.EndRequest(traceId, default, new DateTime(end, DateTimeKind.Utc));
        }
        finally
        {
            Array.Clear(ids, 0, linkCount);
            entries.Clear();
        }
    }

    // Depth and EffectiveEnd are filled in by the walk up (a positional record struct's properties are settable).
    private record struct ReplayEntry(int Link, int Call, RawSpanId Parent, long End, int Depth = 0, long EffectiveEnd = 0);
}
