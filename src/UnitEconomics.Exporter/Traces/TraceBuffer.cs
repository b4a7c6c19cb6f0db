using System.Diagnostics;
using System.Numerics;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// What a trace keeps of one span for walking ancestry: its id, its parent and whether it starts an agent
/// task. <see cref="GenAiIndex"/> points into the trace's GenAI spans, or is -1 for a span the engine
/// would not read (kept only as a link in the parent chain).
/// </summary>
internal readonly record struct SpanNode(RawSpanId Id, RawSpanId Parent, bool IsTaskRoot, string? AgentName, int GenAiIndex);

/// <summary>
/// The spans of one trace received so far. Owned by one worker: never touched by two threads. Reused:
/// the worker's <see cref="TraceBufferPool"/> hands it out for trace after trace, and its spans live in
/// arrays from that pool, so a trace waiting to settle allocates nothing the GC would have to promote.
/// Ids stay raw integers until the trace is replayed.
/// </summary>
internal sealed class TraceBuffer
{
    // Up to this many spans a trace's span ids are searched linearly (cheaper than hashing for the
    // typical handful); past it, a dictionary indexes them.
    internal const int LinearSearchLimit = 16;

    private readonly TraceBufferPool pool;
    private SpanNode[] nodes = [];
    private SpanRecord[] spans = [];
    private KeyValuePair<string, AttributeValue>[] attributes = [];
    private byte[] text = [];
    private int textLength;
    private Dictionary<RawSpanId, int>? index;

    public TraceBuffer(TraceBufferPool pool)
    {
        this.pool = pool;
        this.ActivityNode = new LinkedListNode<TraceBuffer>(this);
    }

    public RawTraceId TraceId { get; private set; }

    /// <summary>Bumped each time the buffer is reused, so a stale reference (the rooted queue's) can tell.</summary>
    public int Version { get; private set; }

    public int NodeCount { get; private set; }

    public int GenAiCount { get; private set; }

    public int AttributeCount { get; private set; }

    /// <summary>When the first span without a parent arrived (a <see cref="TimeProvider"/> timestamp); 0 until then.</summary>
    public long RootSeen { get; set; }

    public long LastTouched { get; set; }

    /// <summary>This trace's place in its worker's least-recently-active list.</summary>
    public LinkedListNode<TraceBuffer> ActivityNode { get; }

    public bool InUse { get; private set; }

    public void Open(RawTraceId traceId, long firstSeen)
    {
        this.TraceId = traceId;
        this.LastTouched = firstSeen;
        this.RootSeen = 0;
        this.InUse = true;
    }

    public ref readonly SpanNode Node(int i) => ref this.nodes[i];

    public ref readonly SpanRecord GenAiSpan(int i) => ref this.spans[i];

    public ReadOnlySpan<KeyValuePair<string, AttributeValue>> AttributesOf(in SpanRecord span) =>
        this.attributes.AsSpan(span.AttributeStart, span.AttributeCount);

    /// <summary>The bytes of the trace's deferred string values (see <see cref="DeferredText"/>).</summary>
    public ReadOnlySpan<byte> Text => this.text.AsSpan(0, this.textLength);

    /// <summary>The index of the span with this id, or -1; the first copy of a span id is the one kept.</summary>
    public int Find(RawSpanId id)
    {
        if (this.index is { } byId)
        {
            return byId.TryGetValue(id, out var i) ? i : -1;
        }

        var nodes = this.nodes;
        for (var i = 0; i < this.NodeCount; i++)
        {
            if (nodes[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Adds a span the caller found new (<see cref="Find"/> said -1); with <paramref name="genAi"/> its
    /// content is kept for replay: its attributes, and the bytes of its deferred strings out of
    /// <paramref name="batchText"/>.
    /// </summary>
    public void Add(in SpanRecord span, ReadOnlySpan<KeyValuePair<string, AttributeValue>> source, ReadOnlySpan<byte> batchText, bool isTaskRoot, string? agentName, bool genAi)
    {
        var genAiIndex = -1;
        if (genAi)
        {
            if (this.AttributeCount + source.Length > this.attributes.Length)
            {
                this.attributes = this.Grow(this.pool.Attributes, this.attributes, this.AttributeCount, this.AttributeCount + source.Length);
            }

            var copy = this.attributes.AsSpan(this.AttributeCount, source.Length);
            source.CopyTo(copy);
            for (var mask = span.DeferredMask; mask != 0; mask &= mask - 1)
            {
                // Each deferred value's bytes move into this trace's own text; its placeholder follows.
                var i = BitOperations.TrailingZeroCount(mask);
                var (offset, length) = DeferredText.Locate(copy[i].Value);
                if (this.text.Length - this.textLength < length)
                {
                    this.text = this.Grow(this.pool.Text, this.text, this.textLength, this.textLength + length);
                }

                batchText.Slice(offset, length).CopyTo(this.text.AsSpan(this.textLength));
                copy[i] = new(copy[i].Key, DeferredText.Placeholder(this.textLength, length));
                this.textLength += length;
            }

            if (this.GenAiCount == this.spans.Length)
            {
                this.spans = this.Grow(this.pool.Spans, this.spans, this.GenAiCount, this.GenAiCount + 1);
            }

            genAiIndex = this.GenAiCount++;
            // The batch's record, its attributes now a range of this trace's own array.
            this.spans[genAiIndex] = span with { AttributeStart = this.AttributeCount, AttributeCount = source.Length };
            this.AttributeCount += source.Length;
        }

        if (this.NodeCount == this.nodes.Length)
        {
            this.nodes = this.Grow(this.pool.Nodes, this.nodes, this.NodeCount, this.NodeCount + 1);
        }

        var nodeIndex = this.NodeCount++;
        this.nodes[nodeIndex] = new SpanNode(span.SpanId, span.Parent, isTaskRoot, agentName, genAiIndex);
        if (this.index is { } byId)
        {
            byId.Add(span.SpanId, nodeIndex);
        }
        else if (this.NodeCount > LinearSearchLimit)
        {
            byId = this.index = this.pool.RentIndex();
            for (var i = 0; i < this.NodeCount; i++)
            {
                byId.TryAdd(this.nodes[i].Id, i);
            }
        }
    }

    /// <summary>Gives every array back to the pool and forgets the trace; the buffer may then be reused.</summary>
    public void Release()
    {
        if (this.nodes.Length > 0)
        {
            this.pool.Nodes.Return(this.nodes, this.NodeCount);
            this.nodes = [];
        }

        if (this.spans.Length > 0)
        {
            this.pool.Spans.Return(this.spans, this.GenAiCount);
            this.spans = [];
        }

        if (this.attributes.Length > 0)
        {
            this.pool.Attributes.Return(this.attributes, this.AttributeCount);
            this.attributes = [];
        }

        if (this.text.Length > 0)
        {
            this.pool.Text.Return(this.text, 0);
            this.text = [];
        }

        if (this.index is { } byId)
        {
            this.pool.ReturnIndex(byId);
            this.index = null;
        }

        this.textLength = 0;
        this.NodeCount = this.GenAiCount = this.AttributeCount = 0;
        this.TraceId = default;
        this.RootSeen = this.LastTouched = 0;
        this.InUse = false;
        this.Version++;
    }

    private T[] Grow<T>(SizeClassPool<T> from, T[] current, int used, int needed)
    {
        if (current.Length == 0)
        {
            return from.Rent(needed);
        }

        var larger = from.Rent(Math.Max(needed, current.Length * 2));
        Array.Copy(current, larger, used);
        from.Return(current, used);
        return larger;
    }
}

/// <summary>
/// One worker's reusable trace buffers and the arrays their spans live in (not thread-safe). Retains at
/// most what was in use at once, and never more than the given bounds.
/// </summary>
internal sealed class TraceBufferPool
{
    // An index of a very large trace is not kept for reuse (its capacity would stay with the pool).
    private const int MaxPooledIndexCount = 1024;

    private readonly Stack<TraceBuffer> buffers = new();
    private readonly Stack<Dictionary<RawSpanId, int>> indexes = new();
    private readonly int maxPooledBuffers;

    public TraceBufferPool(int maxPooledBuffers, long maxRetainedBytesPerArrayKind)
    {
        this.maxPooledBuffers = maxPooledBuffers;
        this.Nodes = new SizeClassPool<SpanNode>(maxRetainedBytesPerArrayKind / 40);
        this.Spans = new SizeClassPool<SpanRecord>(maxRetainedBytesPerArrayKind / 96);
        this.Attributes = new SizeClassPool<KeyValuePair<string, AttributeValue>>(maxRetainedBytesPerArrayKind / 32);
        this.Text = new SizeClassPool<byte>(maxRetainedBytesPerArrayKind);
    }

    public SizeClassPool<SpanNode> Nodes { get; }

    public SizeClassPool<SpanRecord> Spans { get; }

    public SizeClassPool<KeyValuePair<string, AttributeValue>> Attributes { get; }

    public SizeClassPool<byte> Text { get; }

    /// <summary>Buffers waiting to be reused.</summary>
    public int PooledBuffers => this.buffers.Count;

    public TraceBuffer Rent(RawTraceId traceId, long now)
    {
        var buffer = this.buffers.TryPop(out var pooled) ? pooled : new TraceBuffer(this);
        buffer.Open(traceId, now);
        return buffer;
    }

    public void Return(TraceBuffer buffer)
    {
        buffer.Release();
        if (this.buffers.Count < this.maxPooledBuffers)
        {
            this.buffers.Push(buffer);
        }
    }

    internal Dictionary<RawSpanId, int> RentIndex() => this.indexes.TryPop(out var index) ? index : [];

    internal void ReturnIndex(Dictionary<RawSpanId, int> index)
    {
        if (index.Count <= MaxPooledIndexCount && this.indexes.Count < 64)
        {
            index.Clear();
            this.indexes.Push(index);
        }
    }
}

/// <summary>
/// The ancestors of a buffered span, nearest first, from the trace's own parent links, through spans of
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

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
        var id = this.parent;
        for (var steps = 0; id.Present && steps < this.trace.NodeCount; steps++)
        {
            var i = this.trace.Find(id);
            if (i < 0)
            {
                break;
            }

            ref readonly var node = ref this.trace.Node(i);
            if (this.ids[i] == default)
            {
                this.ids[i] = node.Id.ToActivitySpanId();
            }

            visitor.Visit(new AncestorInfo(this.ids[i], node.IsTaskRoot, node.AgentName));
            id = node.Parent;
        }
    }
}

/// <summary>A buffered GenAI span seen through <see cref="ISpanView"/>, as the engine reads it at replay.</summary>
internal readonly struct StoredSpanView : ISpanView
{
    private readonly TraceBuffer trace;
    private readonly int index;

    public StoredSpanView(TraceBuffer trace, int index, ActivityTraceId traceId, ActivitySpanId spanId, ActivitySpanId parentSpanId)
    {
        this.trace = trace;
        this.index = index;
        this.TraceId = traceId;
        this.SpanId = spanId;
        this.ParentSpanId = parentSpanId;
    }

    public string Name => this.Span.Name;

    public ActivityTraceId TraceId { get; }

    public ActivitySpanId SpanId { get; }

    public ActivitySpanId ParentSpanId { get; }

    public DateTime StartTimeUtc => OtlpSpanView.FromUnixNanos(this.Span.StartTimeUnixNano);

    public DateTime EndTimeUtc => OtlpSpanView.FromUnixNanos(this.Span.EndTimeUnixNano);

    public bool IsError => this.Span.IsError;

    private ref readonly SpanRecord Span => ref this.trace.GenAiSpan(this.index);

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        ref readonly var span = ref this.Span;
        var attributes = this.trace.AttributesOf(span);
        if (span.DeferredMask == 0)
        {
            foreach (var (key, value) in attributes)
            {
                visitor.Visit(key, value);
            }

            return;
        }

        var text = this.trace.Text;
        for (var i = 0; i < attributes.Length; i++)
        {
            visitor.Visit(attributes[i].Key, DeferredText.Resolve(span.DeferredMask, i, attributes[i].Value, text));
        }
    }

    public string? GetBaggage(string key) => null;

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        if (this.Span.Resource is { } resource)
        {
            return resource.TryGet(key, out value);
        }

        value = default;
        return false;
    }
}
