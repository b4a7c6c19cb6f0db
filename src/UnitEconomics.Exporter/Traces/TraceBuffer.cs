using System.Diagnostics;
using System.Runtime.InteropServices;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// What a trace keeps of one span: its id and parent (every span is a link in some call's ancestry),
/// whether it starts an agent task and its agent (a string handle, see <see cref="TraceBuffer.Keep"/>:
/// what the engine's rollups ask of an ancestor), and
/// the index of the call read from it in the trace's calls, or -1 when the engine did not read it as one.
/// </summary>
internal readonly record struct SpanLink(RawSpanId Id, RawSpanId Parent, bool StartsTask, int AgentName, int Call);

/// <summary>
/// One trace as received so far: the calls the engine read from its spans, and the parent links of all
/// its spans. Owned by one worker, never touched by two threads; reused for trace after trace (its lists
/// keep their capacity, so a trace waiting to settle allocates little).
/// </summary>
internal sealed class TraceBuffer
{
    // Up to this many spans a trace's span ids are searched linearly (cheaper than hashing for the
    // typical handful); past it, a dictionary indexes them.
    internal const int LinearSearchLimit = 16;

    // A buffer that held a very large trace lets its lists go rather than keep their capacity in the pool.
    private const int MaxRetainedSpans = 4096;

    private List<SpanLink> links = [];
    private List<BufferedCall> calls = [];
    private readonly LabelTable labels;
    private readonly List<long> ranges = [];
    private char[] text = [];
    private int textLength;
    private Dictionary<RawSpanId, int>? index;

    public TraceBuffer(LabelTable labels)
    {
        this.labels = labels;
        this.ActivityNode = new LinkedListNode<TraceBuffer>(this);
    }

    public RawTraceId TraceId { get; private set; }

    /// <summary>Bumped each time the buffer is reused, so a stale reference (the rooted queue's) can tell.</summary>
    public int Version { get; private set; }

    public int LinkCount => this.links.Count;

    public int CallCount => this.calls.Count;

    /// <summary>When the first span without a parent arrived (a <see cref="TimeProvider"/> timestamp); 0 until then.</summary>
    public long RootSeen { get; set; }

    public long LastTouched { get; set; }

    /// <summary>This trace's place in its worker's least-recently-active list.</summary>
    public LinkedListNode<TraceBuffer> ActivityNode { get; }

    public void Open(RawTraceId traceId, long firstSeen)
    {
        this.TraceId = traceId;
        this.LastTouched = firstSeen;
        this.RootSeen = 0;
    }

    public ref readonly SpanLink Link(int i) => ref CollectionsMarshal.AsSpan(this.links)[i];

    /// <summary>Call <paramref name="i"/> as the engine takes it: its ids (made by the replay) and strings restored.</summary>
    public GenAiCall Call(int i, ActivityTraceId traceId, ActivitySpanId spanId) => CollectionsMarshal.AsSpan(this.calls)[i].ToCall(this, traceId, spanId);

    /// <summary>When call <paramref name="i"/> ended (its order at replay).</summary>
    public long EndTicksOf(int i) => CollectionsMarshal.AsSpan(this.calls)[i].EndTicks;

    /// <summary>The agent a link names (null: none).</summary>
    public string? AgentOf(in SpanLink link) => this.Get(link.AgentName);

    /// <summary>The index of the span with this id, or -1; the first copy of a span id is the one kept.</summary>
    public int Find(RawSpanId id)
    {
        if (this.index is { } byId)
        {
            return byId.TryGetValue(id, out var i) ? i : -1;
        }

        var links = CollectionsMarshal.AsSpan(this.links);
        for (var i = 0; i < links.Length; i++)
        {
            if (links[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Adds a span the caller found new (<see cref="Find"/> said -1), with the call read from it if any.</summary>
    public void Add(RawSpanId id, RawSpanId parent, in GenAiCall call, bool isCall)
    {
        var callIndex = -1;
        if (isCall)
        {
            callIndex = this.calls.Count;
            this.calls.Add(BufferedCall.From(call, this));
        }

        this.links.Add(isCall ? new SpanLink(id, parent, call.StartsTask, this.Keep(call.AgentName), callIndex) : new SpanLink(id, parent, false, 0, -1));
        var linkIndex = this.links.Count - 1;
        if (this.index is { } byId)
        {
            byId.TryAdd(id, linkIndex);
        }
        else if (this.links.Count > LinearSearchLimit)
        {
            byId = this.index = [];
            for (var i = 0; i < this.links.Count; i++)
            {
                byId.TryAdd(this.links[i].Id, i);
            }
        }
    }

    /// <summary>
    /// A string as an integer: 0 for none, a handle in the worker's labels, or (for a value
    /// <paramref name="unique"/> to its span, and when the labels are full) -(n+1) for the n-th range of
    /// this trace's characters. Read back with <see cref="Get"/>.
    /// </summary>
    public int Keep(string? value, bool unique = false)
    {
        if (value is null)
        {
            return 0;
        }

        if (!unique && this.labels.HandleOf(value) is > 0 and var handle)
        {
            return handle;
        }

        if (this.text.Length - this.textLength < value.Length)
        {
            Array.Resize(ref this.text, Math.Max(this.textLength + value.Length, Math.Max(256, this.text.Length * 2)));
        }

        value.CopyTo(this.text.AsSpan(this.textLength));
        this.ranges.Add(((long)this.textLength << 32) | (uint)value.Length);
        this.textLength += value.Length;
        return -this.ranges.Count;
    }

    public string? Get(int kept)
    {
        if (kept >= 0)
        {
            return kept == 0 ? null : this.labels[kept];
        }

        var range = this.ranges[-kept - 1];
        return new string(this.text, (int)(range >> 32), (int)(uint)range);
    }

    /// <summary>Forgets the trace; the buffer may then be reused.</summary>
    public void Release()
    {
        // Cleared, so the calls' strings are not kept alive by a buffer waiting in the pool.
        if (this.links.Count > MaxRetainedSpans)
        {
            this.links = [];
            this.calls = [];
        }
        else
        {
            this.links.Clear();
            this.calls.Clear();
        }

        if (this.text.Length > MaxRetainedSpans * 64)
        {
            this.text = [];
        }

        this.textLength = 0;
        this.ranges.Clear();
        this.index = null;
        this.TraceId = default;
        this.RootSeen = this.LastTouched = 0;
        this.Version++;
    }
}

/// <summary>
/// The ancestors of a buffered call, nearest first, from the trace's own parent links, through spans of
/// any kind. The walk ends at a parent that was not received (or after as many steps as there are spans,
/// so a malformed trace with a parent cycle cannot loop). Span ids are made once per span per replay
/// (<paramref name="ids"/>, one slot per buffered span).
/// </summary>
internal readonly struct BufferedAncestry : ISpanAncestry
{
    private readonly TraceBuffer trace;
    private readonly RawSpanId parent;
    private readonly ActivitySpanId[] ids;

    public BufferedAncestry(TraceBuffer trace, RawSpanId parent, ActivitySpanId[] ids)
    {
        this.trace = trace;
        this.parent = parent;
        this.ids = ids;
    }

    public bool HasAncestors => this.parent.Present;

    /// <summary>The trace is the request: the assembler ends it once the trace is accounted.</summary>
    public ActivitySpanId RequestRoot => default;

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
        var id = this.parent;
        for (var steps = 0; id.Present && steps < this.trace.LinkCount; steps++)
        {
            var i = this.trace.Find(id);
            if (i < 0)
            {
                break;
            }

            ref readonly var link = ref this.trace.Link(i);
            if (this.ids[i] == default)
            {
                this.ids[i] = link.Id.ToActivitySpanId(); // made once per span per replay

            }

            visitor.Visit(new AncestorInfo(this.ids[i], link.StartsTask, this.trace.AgentOf(link)));
            id = link.Parent;
        }
    }
}
