using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// What a trace keeps of one span for walking ancestry: its id, its parent and whether it starts an agent
/// task. <see cref="GenAiIndex"/> points into the trace's GenAI spans, or is -1 for a span the engine
/// would not read (kept only as a link in the parent chain). <see cref="AgentName"/> is a handle in the
/// worker's <see cref="ObjectTable"/> (0: none).
/// </summary>
internal readonly record struct SpanNode(RawSpanId Id, RawSpanId Parent, bool IsTaskRoot, int AgentName, int GenAiIndex);

/// <summary>
/// A buffered GenAI span: a <see cref="SpanRecord"/> without references (its name and resource are
/// handles in the worker's <see cref="ObjectTable"/>), its attributes a range of the trace's own array.
/// </summary>
internal readonly record struct StoredSpan(
    RawSpanId SpanId,
    RawSpanId Parent,
    int Name,
    ulong StartTimeUnixNano,
    ulong EndTimeUnixNano,
    bool IsError,
    int Resource,
    int AttributeStart,
    int AttributeCount,
    ulong DeferredMask);

/// <summary>
/// A buffered attribute without references: the key and a string value are handles in the worker's
/// <see cref="ObjectTable"/>; an integer, boolean or double value is kept as its 64 bits.
/// </summary>
internal readonly struct StoredAttribute
{
    private readonly long bits;
    private readonly int text;

    private StoredAttribute(int key, AttributeKind kind, int text, long bits)
    {
        this.Key = key;
        this.Kind = kind;
        this.text = text;
        this.bits = bits;
    }

    public int Key { get; }

    public AttributeKind Kind { get; }

    /// <summary>Takes the handles the value needs (the caller has taken the key's).</summary>
    public static StoredAttribute From(int key, in AttributeValue value, ObjectTable objects) =>
        value.Kind == AttributeKind.String
            ? new(key, AttributeKind.String, objects.Acquire(value.Text), 0)
            : new(key, value.Kind, 0, value.RawBits); // an integer, a boolean or a double's bits, exactly

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AttributeValue Value(ObjectTable objects) => this.Kind switch
    {
        AttributeKind.String => AttributeValue.OfString(objects.GetString(this.text)),
        AttributeKind.Long => AttributeValue.OfLong(this.bits),
        AttributeKind.Bool => AttributeValue.OfBool(this.bits != 0),
        AttributeKind.Double => AttributeValue.OfDouble(BitConverter.Int64BitsToDouble(this.bits)),
        AttributeKind.Other => AttributeValue.OfOther(),
        _ => default,
    };

    /// <summary>Gives back the handles this attribute holds.</summary>
    public void Release(ObjectTable objects)
    {
        objects.Release(this.Key);
        objects.Release(this.text);
    }
}

/// <summary>
/// The spans of one trace received so far. Owned by one worker: never touched by two threads. Reused:
/// the worker's <see cref="TraceBufferPool"/> hands it out for trace after trace, and its spans live in
/// arrays from that pool, so a trace waiting to settle allocates nothing the GC would have to promote.
/// Ids stay raw integers until the trace is replayed. The arrays hold no references (strings and
/// resources are handles in the pool's <see cref="ObjectTable"/>), so the GC never scans them.
/// </summary>
internal sealed class TraceBuffer
{
    // Up to this many spans a trace's span ids are searched linearly (cheaper than hashing for the
    // typical handful); past it, a dictionary indexes them.
    internal const int LinearSearchLimit = 16;

    private readonly TraceBufferPool pool;
    private SpanNode[] nodes = [];
    private StoredSpan[] spans = [];
    private StoredAttribute[] attributes = [];
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

    public ref readonly StoredSpan GenAiSpan(int i) => ref this.spans[i];

    public ReadOnlySpan<StoredAttribute> AttributesOf(in StoredSpan span) =>
        this.attributes.AsSpan(span.AttributeStart, span.AttributeCount);

    /// <summary>The strings and resources the stored spans refer to.</summary>
    public ObjectTable Objects => this.pool.Objects;

    public string? AgentNameOf(in SpanNode node) => this.pool.Objects.GetString(node.AgentName);

    public string NameOf(in StoredSpan span) => this.pool.Objects.GetString(span.Name)!;

    public DecodedResource? ResourceOf(in StoredSpan span) => Unsafe.As<DecodedResource?>(this.pool.Objects.Get(span.Resource));

    /// <summary>Attribute <paramref name="i"/> of a stored span as it was added (a deferred one still a placeholder).</summary>
    public KeyValuePair<string, AttributeValue> AttributeAt(in StoredSpan span, int i)
    {
        var attribute = this.attributes[span.AttributeStart + i];
        return new(this.pool.Objects.GetString(attribute.Key)!, attribute.Value(this.pool.Objects));
    }

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
        var objects = this.pool.Objects;
        if (genAi)
        {
            if (this.AttributeCount + source.Length > this.attributes.Length)
            {
                this.attributes = this.Grow(this.pool.Attributes, this.attributes, this.AttributeCount, this.AttributeCount + source.Length);
            }

            var copy = this.attributes.AsSpan(this.AttributeCount, source.Length);
            var deferred = span.DeferredMask;
            for (var i = 0; i < source.Length; i++)
            {
                var value = source[i].Value;
                if (DeferredText.IsDeferred(deferred, i))
                {
                    // A deferred value's bytes move into this trace's own text; its placeholder follows.
                    var (offset, length) = DeferredText.Locate(value);
                    if (this.text.Length - this.textLength < length)
                    {
                        this.text = this.Grow(this.pool.Text, this.text, this.textLength, this.textLength + length);
                    }

                    batchText.Slice(offset, length).CopyTo(this.text.AsSpan(this.textLength));
                    value = DeferredText.Placeholder(this.textLength, length);
                    this.textLength += length;
                }

                copy[i] = StoredAttribute.From(objects.Acquire(source[i].Key), value, objects);
            }

            if (this.GenAiCount == this.spans.Length)
            {
                this.spans = this.Grow(this.pool.Spans, this.spans, this.GenAiCount, this.GenAiCount + 1);
            }

            genAiIndex = this.GenAiCount++;
            // The batch's record, its attributes now a range of this trace's own array.
            this.spans[genAiIndex] = new StoredSpan(
                span.SpanId,
                span.Parent,
                objects.Acquire(span.Name),
                span.StartTimeUnixNano,
                span.EndTimeUnixNano,
                span.IsError,
                objects.Acquire(span.Resource),
                this.AttributeCount,
                source.Length,
                deferred);
            this.AttributeCount += source.Length;
        }

        if (this.NodeCount == this.nodes.Length)
        {
            this.nodes = this.Grow(this.pool.Nodes, this.nodes, this.NodeCount, this.NodeCount + 1);
        }

        var nodeIndex = this.NodeCount++;
        this.nodes[nodeIndex] = new SpanNode(span.SpanId, span.Parent, isTaskRoot, objects.Acquire(agentName), genAiIndex);
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
        // The handles first: every stored use of a string or resource is given back.
        var objects = this.pool.Objects;
        for (var i = 0; i < this.NodeCount; i++)
        {
            objects.Release(this.nodes[i].AgentName);
        }

        for (var i = 0; i < this.GenAiCount; i++)
        {
            objects.Release(this.spans[i].Name);
            objects.Release(this.spans[i].Resource);
        }

        for (var i = 0; i < this.AttributeCount; i++)
        {
            this.attributes[i].Release(objects);
        }

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
        this.Spans = new SizeClassPool<StoredSpan>(maxRetainedBytesPerArrayKind / 80);
        this.Attributes = new SizeClassPool<StoredAttribute>(maxRetainedBytesPerArrayKind / 24);
        this.Text = new SizeClassPool<byte>(maxRetainedBytesPerArrayKind);
    }

    public SizeClassPool<SpanNode> Nodes { get; }

    public SizeClassPool<StoredSpan> Spans { get; }

    public SizeClassPool<StoredAttribute> Attributes { get; }

    /// <summary>Handles for the strings and resources this worker's buffered spans refer to.</summary>
    public ObjectTable Objects { get; } = new();

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

            visitor.Visit(new AncestorInfo(this.ids[i], node.IsTaskRoot, this.trace.AgentNameOf(node)));
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

    public string Name => this.trace.NameOf(this.Span);

    public ActivityTraceId TraceId { get; }

    public ActivitySpanId SpanId { get; }

    public ActivitySpanId ParentSpanId { get; }

    public DateTime StartTimeUtc => OtlpSpanView.FromUnixNanos(this.Span.StartTimeUnixNano);

    public DateTime EndTimeUtc => OtlpSpanView.FromUnixNanos(this.Span.EndTimeUnixNano);

    public bool IsError => this.Span.IsError;

    private ref readonly StoredSpan Span => ref this.trace.GenAiSpan(this.index);

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        ref readonly var span = ref this.Span;
        var attributes = this.trace.AttributesOf(span);
        var objects = this.trace.Objects;
        if (span.DeferredMask == 0)
        {
            foreach (ref readonly var attribute in attributes)
            {
                visitor.Visit(objects.GetString(attribute.Key)!, attribute.Value(objects));
            }

            return;
        }

        var text = this.trace.Text;
        for (var i = 0; i < attributes.Length; i++)
        {
            visitor.Visit(objects.GetString(attributes[i].Key)!, DeferredText.Resolve(span.DeferredMask, i, attributes[i].Value(objects), text));
        }
    }

    public string? GetBaggage(string key) => null;

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        if (this.trace.ResourceOf(this.Span) is { } resource)
        {
            return resource.TryGet(key, out value);
        }

        value = default;
        return false;
    }
}
