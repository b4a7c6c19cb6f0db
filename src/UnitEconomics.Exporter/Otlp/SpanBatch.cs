using System.Buffers;
using System.Runtime.CompilerServices;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// One received span as a value: ids as integers, its attributes as a range of its batch's attribute
/// array. Spans are decoded into these (no object per span).
/// </summary>
internal readonly record struct SpanRecord(
    RawTraceId TraceId,
    RawSpanId SpanId,
    RawSpanId Parent,
    string Name,
    ulong StartTimeUnixNano,
    ulong EndTimeUnixNano,
    bool IsError,
    DecodedResource? Resource,
    int AttributeStart,
    int AttributeCount);

/// <summary>The attributes of the resource a batch of spans came with that the engine reads; shared by its spans.</summary>
public sealed class DecodedResource
{
    private readonly KeyValuePair<string, AttributeValue>[] attributes;

    public DecodedResource(KeyValuePair<string, AttributeValue>[] attributes) => this.attributes = attributes;

    public bool TryGet(string key, out AttributeValue value)
    {
        foreach (var (k, v) in this.attributes)
        {
            if (string.Equals(k, key, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = default;
        return false;
    }
}

/// <summary>
/// The valid spans of one export request, in order, and how many it held in all. Spans whose ids are
/// malformed (OTLP's rules, see <see cref="OtlpIds"/>) are counted in <see cref="Invalid"/> and left out.
/// The spans live in two arrays rented from the runtime's shared pool (records and attributes; thread-local
/// caches, no lock, nothing allocated per span); the ingest worker done last gives them back with
/// <see cref="Release"/>, after which the batch must not be read.
/// </summary>
public sealed class SpanBatch
{
    private SpanRecord[] records;
    private KeyValuePair<string, AttributeValue>[] attributes;
    private int references = 1;

    private SpanBatch(SpanRecord[] records, int count, KeyValuePair<string, AttributeValue>[] attributes, int attributeCount, int invalid)
    {
        this.records = records;
        this.Count = count;
        this.attributes = attributes;
        this.AttributeCount = attributeCount;
        this.Invalid = invalid;
    }

    public int Invalid { get; }

    public int Received => this.Count + this.Invalid;

    /// <summary>
    /// The request's size as encoded, what the ingest queue is bounded by: the one size known before
    /// decoding (Content-Length, the gRPC length prefix), so back-pressure can be decided then.
    /// </summary>
    public long EncodedBytes { get; internal set; }

    /// <summary>Valid spans.</summary>
    internal int Count { get; }

    internal int AttributeCount { get; }

    /// <summary>Whether every consumer released the batch (its arrays are back in the pool).</summary>
    internal bool IsReleased => Volatile.Read(ref this.references) <= 0;

    internal ReadOnlySpan<SpanRecord> Records => this.records.AsSpan(0, this.Count);

    internal ReadOnlySpan<KeyValuePair<string, AttributeValue>> AttributesOf(in SpanRecord record) =>
        this.attributes.AsSpan(record.AttributeStart, record.AttributeCount);

    /// <summary>
    /// Says how many consumers will each call <see cref="Release"/> (one per ingest worker); call before
    /// handing the batch to them.
    /// </summary>
    internal void SetReleases(int consumers) => this.references = consumers;

    /// <summary>One consumer is done; the last gives the arrays back to the pool.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref this.references) != 0)
        {
            return;
        }

        var (records, attributes) = (this.records, this.attributes);
        this.records = [];
        this.attributes = [];
        ReturnToPool(records, this.Count);
        ReturnToPool(attributes, this.AttributeCount);
    }

    /// <summary>Gives an array back to the runtime's shared pool, cleared first so a pooled array keeps no string alive.</summary>
    private static void ReturnToPool<T>(T[] array, int used)
    {
        if (array.Length == 0)
        {
            return;
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(array, 0, Math.Min(used, array.Length));
        }

        ArrayPool<T>.Shared.Return(array);
    }

    private static T[] Grow<T>(T[] array, int used)
    {
        var larger = ArrayPool<T>.Shared.Rent(array.Length * 2);
        Array.Copy(array, larger, used);
        ReturnToPool(array, used);
        return larger;
    }

    /// <summary>Collects a request's spans into pooled arrays, growing them as needed.</summary>
    internal struct Builder
    {
        private SpanRecord[] records;
        private KeyValuePair<string, AttributeValue>[] attributes;
        private int count;
        private int attributeCount;
        private int spanAttributesStart;

        public Builder()
        {
            this.records = ArrayPool<SpanRecord>.Shared.Rent(64);
            this.attributes = ArrayPool<KeyValuePair<string, AttributeValue>>.Shared.Rent(512);
        }

        /// <summary>Begins a span: its attributes come next, through <see cref="AddAttribute"/>.</summary>
        public void BeginSpan() => this.spanAttributesStart = this.attributeCount;

        public void AddAttribute(string key, AttributeValue value)
        {
            if (this.attributeCount == this.attributes.Length)
            {
                this.attributes = Grow(this.attributes, this.attributeCount);
            }

            this.attributes[this.attributeCount++] = new(key, value);
        }

        /// <summary>Ends the span begun last: kept, with the attributes added since.</summary>
        public void EndSpan(RawTraceId traceId, RawSpanId spanId, RawSpanId parent, string name, ulong start, ulong end, bool isError, DecodedResource? resource)
        {
            if (this.count == this.records.Length)
            {
                this.records = Grow(this.records, this.count);
            }

            this.records[this.count++] = new SpanRecord(traceId, spanId, parent, name, start, end, isError, resource, this.spanAttributesStart, this.attributeCount - this.spanAttributesStart);
        }

        /// <summary>Drops the span begun last (its ids were malformed): its attributes are forgotten.</summary>
        public void DropSpan()
        {
            Array.Clear(this.attributes, this.spanAttributesStart, this.attributeCount - this.spanAttributesStart);
            this.attributeCount = this.spanAttributesStart;
        }

        public readonly SpanBatch Build(int invalid) => new(this.records, this.count, this.attributes, this.attributeCount, invalid);
    }
}
