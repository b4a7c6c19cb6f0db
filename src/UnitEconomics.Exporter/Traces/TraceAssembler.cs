using System.Diagnostics;
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
    private readonly CostEngine engine;
    private readonly TimeProvider time;
    private readonly TimeSpan settleDelay;
    private readonly TimeSpan idleTimeout;
    private readonly int maxTraces;
    private readonly Dictionary<ActivityTraceId, TraceBuffer> traces = [];

    // Least recently active first: the idle timeout and the bound both take from the head.
    private readonly LinkedList<TraceBuffer> byActivity = new();

    // Traces whose root arrived, in the order it did (the settle delay is the same for all).
    private readonly Queue<TraceBuffer> rooted = new();

    // Reused for every trace replayed: this worker replays one trace at a time.
    private readonly List<ReplayEntry> replay = [];

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

    /// <summary>Buffers one span (its ids were checked by the receiver).</summary>
    public void Add(DecodedSpan span, long now)
    {
        var traceId = span.TraceId;
        if (!this.traces.TryGetValue(traceId, out var trace))
        {
            if (this.traces.Count >= this.maxTraces && this.byActivity.First is { } oldest)
            {
                this.Process(oldest.Value);
                Interlocked.Increment(ref this.processedEarly);
            }

            trace = new TraceBuffer(traceId, now);
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

        var spanId = span.SpanId;
        if (trace.Nodes.ContainsKey(spanId))
        {
            return; // the same span sent again (a sender's retry): counted once
        }

        var parent = span.ParentSpanId;
        var isGenAi = this.Classify(span, out var isTaskRoot, out var agentName);
        var index = -1;
        if (isGenAi)
        {
            index = trace.GenAiSpans.Count;
            trace.GenAiSpans.Add(span);
        }

        trace.Nodes.Add(spanId, new SpanNode(parent, isTaskRoot, agentName, index));
        if (parent == default && trace.RootSeen == 0)
        {
            trace.RootSeen = Math.Max(1, now);
            this.rooted.Enqueue(trace);
        }
    }

    /// <summary>
    /// Processes what is due at <paramref name="now"/>: rooted traces past the settle delay (all rooted
    /// traces with <paramref name="ignoreSettle"/>), and traces idle past the timeout.
    /// </summary>
    public void ProcessDue(long now, bool ignoreSettle = false)
    {
        while (this.rooted.TryPeek(out var trace))
        {
            if (trace.Processed)
            {
                this.rooted.Dequeue();
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
        trace.Processed = true;
        this.count = this.traces.Count;
        if (trace.GenAiSpans.Count == 0)
        {
            return;
        }

        // Every child before its ancestors: a task's calls are added before its root closes it, and a
        // nested agent learns whether inference ran below it. End times order most of it; a child's end
        // is lifted to its latest descendant's (clock skew between processes), and ties go deepest first.
        var entries = this.replay;
        entries.Clear();
        foreach (var (spanId, node) in trace.Nodes)
        {
            if (node.GenAiIndex >= 0)
            {
                var span = trace.GenAiSpans[node.GenAiIndex];
                entries.Add(new ReplayEntry(node.GenAiIndex, node.Parent, span.EndTimeUnixNano, Depth(trace, node.Parent)));
            }
        }

        var effectiveEnd = new ulong[trace.GenAiSpans.Count];
        foreach (var entry in entries)
        {
            effectiveEnd[entry.Index] = Math.Max(effectiveEnd[entry.Index], entry.End);
            var id = entry.Parent;
            for (var steps = 0; id != default && steps < trace.Nodes.Count && trace.Nodes.TryGetValue(id, out var ancestor); steps++)
            {
                if (ancestor.GenAiIndex >= 0)
                {
                    effectiveEnd[ancestor.GenAiIndex] = Math.Max(effectiveEnd[ancestor.GenAiIndex], entry.End);
                }

                id = ancestor.Parent;
            }
        }

        entries.Sort((a, b) =>
        {
            var byEnd = effectiveEnd[a.Index].CompareTo(effectiveEnd[b.Index]);
            return byEnd != 0 ? byEnd : b.Depth.CompareTo(a.Depth);
        });

        foreach (var entry in entries)
        {
            this.engine.OnEnded(new DecodedSpanView(trace.GenAiSpans[entry.Index]), new BufferedAncestry(trace.Nodes, entry.Parent));
        }

        entries.Clear();
    }

    private static int Depth(TraceBuffer trace, ActivitySpanId parent)
    {
        var depth = 0;
        for (var id = parent; id != default && depth < trace.Nodes.Count && trace.Nodes.TryGetValue(id, out var node); id = node.Parent)
        {
            depth++;
        }

        return depth;
    }

    /// <summary>Whether the engine reads the span; for the ancestry, whether it starts an agent task and its agent.</summary>
    private bool Classify(DecodedSpan span, out bool isTaskRoot, out string? agentName)
    {
        var normalizer = this.engine.Normalizer;
        var isGenAi = false;
        isTaskRoot = false;
        string? agent = null, agentId = null;
        foreach (var (key, value) in span.Attributes)
        {
            if (!normalizer.IsGenAiKey(key))
            {
                continue;
            }

            isGenAi = true;
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
        return isGenAi || SpanNormalizer.NamesOperation(span.Name);
    }

    private readonly record struct ReplayEntry(int Index, ActivitySpanId Parent, ulong End, int Depth);
}
