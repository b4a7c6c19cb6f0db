using System.Diagnostics;
using System.Runtime.InteropServices;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// One worker's traces in flight. Spans of a trace arrive in any order and over many requests (an SDK
/// exports a child before its parent has ended); the trace is handed to the engine once its root has
/// arrived and a settle delay passed, after an idle timeout when the root never comes, or early when
/// the bound on traces in flight is reached. Not thread-safe: one worker owns it.
/// </summary>
internal sealed class TraceAssembler
{
    // What a worker's pool keeps of each kind of span array at most (it keeps what was in use at once).
    private const long MaxRetainedBytesPerArrayKind = 128L * 1024 * 1024;

    private readonly CostEngine engine;
    private readonly TimeProvider time;
    private readonly TimeSpan settleDelay;
    private readonly TimeSpan idleTimeout;
    private readonly int maxTraces;
    private readonly Dictionary<RawTraceId, TraceBuffer> traces = [];
    private readonly TraceBufferPool pool;

    // Least recently active first: the idle timeout and the bound both take from the head.
    private readonly LinkedList<TraceBuffer> byActivity = new();

    // Traces whose root arrived, in the order it did (the settle delay is the same for all). A buffer
    // processed early is reused: an entry whose version is no longer the buffer's is stale.
    private readonly Queue<(TraceBuffer Trace, int Version)> rooted = new();

    // Reused for every trace replayed: this worker replays one trace at a time.
    private readonly List<ReplayEntry> replay = [];
    private ulong[] effectiveEnd = new ulong[16];
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
        this.pool = new TraceBufferPool(this.maxTraces, MaxRetainedBytesPerArrayKind);
    }

    public int TracesInFlight => this.count;

    /// <summary>Traces processed before their root came because the bound was reached.</summary>
    public long ProcessedEarly => Interlocked.Read(ref this.processedEarly);

    /// <summary>Traces processed at the idle timeout, their root never having come.</summary>
    public long ProcessedIdle => Interlocked.Read(ref this.processedIdle);

    /// <summary>This worker's buffers and span arrays (for tests: what is in use, what is kept).</summary>
    internal TraceBufferPool Pool => this.pool;

    /// <summary>Buffers one span (its ids were checked by the receiver).</summary>
    public void Add(SpanBatch batch, in SpanRecord span, long now)
    {
        var traceId = span.TraceId;
        if (!this.traces.TryGetValue(traceId, out var trace))
        {
            if (this.traces.Count >= this.maxTraces && this.byActivity.First is { } oldest)
            {
                this.Process(oldest.Value);
                Interlocked.Increment(ref this.processedEarly);
            }

            trace = this.pool.Rent(traceId, now);
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

        var attributes = batch.AttributesOf(span);
        var isGenAi = this.Classify(span.Name, attributes, span.DeferredMask, batch.Text, out var isTaskRoot, out var agentName);
        trace.Add(span, attributes, batch.Text, isTaskRoot, agentName, isGenAi);
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
            if (trace.GenAiCount > 0)
            {
                this.Replay(trace);
            }
        }
        finally
        {
            this.pool.Return(trace);
        }
    }

    private void Replay(TraceBuffer trace)
    {
        // Every child before its ancestors: a task's calls are added before its root closes it, and a
        // nested agent learns whether inference ran below it. End times order most of it; a child's end
        // is lifted to its latest descendant's (clock skew between processes), and ties go deepest first.
        var nodeCount = trace.NodeCount;
        var entries = this.replay;
        entries.Clear();
        for (var i = 0; i < nodeCount; i++)
        {
            ref readonly var node = ref trace.Node(i);
            if (node.GenAiIndex >= 0)
            {
                entries.Add(new ReplayEntry(i, node.GenAiIndex, node.Parent, trace.GenAiSpan(node.GenAiIndex).EndTimeUnixNano, Depth(trace, node.Parent)));
            }
        }

        if (this.effectiveEnd.Length < trace.GenAiCount)
        {
            this.effectiveEnd = new ulong[Math.Max(trace.GenAiCount, this.effectiveEnd.Length * 2)];
        }

        var effectiveEnd = this.effectiveEnd;
        Array.Clear(effectiveEnd, 0, trace.GenAiCount);
        foreach (var entry in entries)
        {
            effectiveEnd[entry.GenAiIndex] = Math.Max(effectiveEnd[entry.GenAiIndex], entry.End);
            var id = entry.Parent;
            for (var steps = 0; id.Present && steps < nodeCount; steps++)
            {
                var a = trace.Find(id);
                if (a < 0)
                {
                    break;
                }

                ref readonly var ancestor = ref trace.Node(a);
                if (ancestor.GenAiIndex >= 0)
                {
                    effectiveEnd[ancestor.GenAiIndex] = Math.Max(effectiveEnd[ancestor.GenAiIndex], entry.End);
                }

                id = ancestor.Parent;
            }
        }

        var sorted = CollectionsMarshal.AsSpan(entries);
        for (var k = 0; k < sorted.Length; k++)
        {
            sorted[k] = sorted[k] with { EffectiveEnd = effectiveEnd[sorted[k].GenAiIndex] };
        }

        sorted.Sort(static (a, b) =>
        {
            var byEnd = a.EffectiveEnd.CompareTo(b.EffectiveEnd);
            return byEnd != 0 ? byEnd : b.Depth.CompareTo(a.Depth);
        });

        if (this.ids.Length < nodeCount)
        {
            this.ids = new ActivitySpanId[Math.Max(nodeCount, this.ids.Length * 2)];
        }

        // The engine takes ids in their hex-string form: each is made once per replay, when first needed.
        var ids = this.ids;
        try
        {
            var traceId = trace.TraceId.ToActivityTraceId();
            foreach (var entry in sorted)
            {
                var spanId = ids[entry.Node] == default ? ids[entry.Node] = trace.Node(entry.Node).Id.ToActivitySpanId() : ids[entry.Node];
                var parentIndex = entry.Parent.Present ? trace.Find(entry.Parent) : -1;
                var parentId = parentIndex < 0
                    ? entry.Parent.ToActivitySpanId()
                    : ids[parentIndex] == default ? ids[parentIndex] = trace.Node(parentIndex).Id.ToActivitySpanId() : ids[parentIndex];
                if (this.engine.Read(new StoredSpanView(trace, entry.GenAiIndex, traceId, spanId, parentId), out var call) == NormalizeResult.Ok)
                {
                    this.engine.Account(call, new BufferedAncestry(trace, entry.Parent, ids));
                }
            }
        }
        finally
        {
            Array.Clear(ids, 0, nodeCount);
            entries.Clear();
        }
    }

    private static int Depth(TraceBuffer trace, RawSpanId parent)
    {
        var depth = 0;
        for (var id = parent; id.Present && depth < trace.NodeCount;)
        {
            var i = trace.Find(id);
            if (i < 0)
            {
                break;
            }

            depth++;
            id = trace.Node(i).Parent;
        }

        return depth;
    }

    /// <summary>Whether the engine reads the span; for the ancestry, whether it starts an agent task and its agent.</summary>
    private bool Classify(string name, ReadOnlySpan<KeyValuePair<string, AttributeValue>> attributes, ulong deferred, ReadOnlySpan<byte> text, out bool isTaskRoot, out string? agentName)
    {
        var normalizer = this.engine.Normalizer;
        var isGenAi = false;
        isTaskRoot = false;
        string? agent = null, agentId = null;
        for (var i = 0; i < attributes.Length; i++)
        {
            var key = attributes[i].Key;
            if (!normalizer.IsGenAiKey(key))
            {
                continue;
            }

            isGenAi = true;
            if (key is not (GenAiAttributes.GenAi.OperationName or GenAiAttributes.UnitEconomics.TaskRoot or GenAiAttributes.GenAi.Agent.Name or GenAiAttributes.GenAi.Agent.Id))
            {
                continue;
            }

            // Only these few values are read here; a deferred one (not the usual case) is decoded for it.
            var value = DeferredText.Resolve(deferred, i, attributes[i].Value, text);
            switch (key)
            {
                case GenAiAttributes.GenAi.OperationName:
                    isTaskRoot |= value.Kind == AttributeKind.String && SpanNormalizer.Classify(value.Text!) == OperationKind.Agent;
                    break;
                case GenAiAttributes.UnitEconomics.TaskRoot:
                    isTaskRoot |= value.IsTrue();
                    break;
                case GenAiAttributes.GenAi.Agent.Name:
                    agent = value.Kind == AttributeKind.String ? value.Text : null;
                    break;
                case GenAiAttributes.GenAi.Agent.Id:
                    agentId = value.Kind == AttributeKind.String ? value.Text : null;
                    break;
            }
        }

        agentName = agent ?? agentId;
        return isGenAi || SpanNormalizer.NamesOperation(name);
    }

    private readonly record struct ReplayEntry(int Node, int GenAiIndex, RawSpanId Parent, ulong End, int Depth, ulong EffectiveEnd = 0);
}
