using System.Runtime.CompilerServices;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using UnitEconomics.Exporter.Traces;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// One received span as a value: ids as integers, its attributes as a range of its batch's attribute
/// array. Spans are decoded into these (no object per span); <see cref="DecodedSpan"/> is made only when
/// someone asks for <see cref="SpanBatch.Spans"/>.
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
    int AttributeCount,
    ulong DeferredMask = 0);

/// <summary>
/// The valid spans of one export request, in order, and how many it held in all. Spans whose ids are
/// malformed (see <see cref="OtlpIds"/>) are counted in <see cref="Invalid"/> and left out.
/// The spans live in two arrays from a shared pool (records and attributes); the ingest that consumes
/// the batch gives them back with <see cref="Release"/>, after which the batch must not be read.
/// </summary>
public sealed class SpanBatch
{
    private SpanRecord[] records;
    private KeyValuePair<string, AttributeValue>[] attributes;
    private byte[] text;
    private List<DecodedSpan>? spans;
    private int references = 1;

    public SpanBatch(List<DecodedSpan> spans, int invalid)
    {
        var builder = new Builder();
        foreach (var span in spans)
        {
            builder.Add(span.RawTraceId, span.RawSpanId, span.RawParentSpanId, span.Name, span.StartTimeUnixNano, span.EndTimeUnixNano, span.IsError, span.Resource, span.Attributes);
        }

        (this.records, this.Count, this.attributes, this.AttributeCount, this.text, this.TextLength) = builder.Take();
        this.Invalid = invalid;
    }

    private SpanBatch(SpanRecord[] records, int count, KeyValuePair<string, AttributeValue>[] attributes, int attributeCount, byte[] text, int textLength, int invalid)
    {
        this.records = records;
        this.Count = count;
        this.attributes = attributes;
        this.AttributeCount = attributeCount;
        this.text = text;
        this.TextLength = textLength;
        this.Invalid = invalid;
    }

    /// <summary>The valid spans as objects (made on first use: the service itself reads <see cref="Records"/>).</summary>
    public List<DecodedSpan> Spans => this.spans ??= this.Materialize();

    public int Invalid { get; }

    public int Received => this.Count + this.Invalid;

    /// <summary>
    /// The request's size as encoded (protobuf bytes), what the ingest queue is bounded by: the one size
    /// known before decoding (Content-Length, the gRPC length prefix), so back-pressure can be decided then.
    /// </summary>
    public long EncodedBytes { get; internal set; }

    /// <summary>Valid spans.</summary>
    internal int Count { get; }

    internal int AttributeCount { get; }

    /// <summary>Bytes of deferred string values (see <see cref="DeferredText"/>).</summary>
    internal int TextLength { get; }

    internal ReadOnlySpan<byte> Text => this.text.AsSpan(0, this.TextLength);

    /// <summary>Whether every consumer released the batch (its arrays are back in the pool).</summary>
    internal bool IsReleased => Volatile.Read(ref this.references) <= 0;

    internal ReadOnlySpan<SpanRecord> Records => this.records.AsSpan(0, this.Count);

    internal ReadOnlySpan<KeyValuePair<string, AttributeValue>> AttributesOf(in SpanRecord record) =>
        this.attributes.AsSpan(record.AttributeStart, record.AttributeCount);

    /// <summary>The spans of an already decoded request (OTLP/JSON, or any generated message) in the same form.</summary>
    public static SpanBatch FromRequest(ExportTraceServiceRequest request, AttributeFilter? filter = null)
    {
        var builder = new Builder();
        var invalid = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = resourceSpans.Resource is { } r ? new DecodedResource(Convert(r.Attributes, null)) : null;
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    if (!OtlpIds.IsValid(span))
                    {
                        invalid++;
                        continue;
                    }

                    builder.Add(
                        RawTraceId.From(span.TraceId.Span),
                        RawSpanId.From(span.SpanId.Span),
                        span.ParentSpanId.Length == OtlpIds.SpanIdLength ? RawSpanId.From(span.ParentSpanId.Span) : default,
                        span.Name,
                        span.StartTimeUnixNano,
                        span.EndTimeUnixNano,
                        span.Status?.Code == OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error,
                        resource,
                        Convert(span.Attributes, filter));
                }
            }
        }

        var batch = builder.Build(invalid);
        batch.EncodedBytes = request.CalculateSize();
        return batch;
    }

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

        var (records, attributes, text) = (this.records, this.attributes, this.text);
        this.records = [];
        this.attributes = [];
        this.text = [];
        SpanBatchPool.Records.Return(records, this.Count);
        SpanBatchPool.Attributes.Return(attributes, this.AttributeCount);
        SpanBatchPool.Text.Return(text, 0);
    }

    private List<DecodedSpan> Materialize()
    {
        var list = new List<DecodedSpan>(this.Count);
        foreach (ref readonly var r in this.Records)
        {
            var attributes = this.AttributesOf(r).ToArray();
            for (var i = 0; i < attributes.Length; i++)
            {
                attributes[i] = new(attributes[i].Key, DeferredText.Resolve(r.DeferredMask, i, attributes[i].Value, this.Text));
            }

            list.Add(new DecodedSpan(r.TraceId, r.SpanId, r.Parent, r.Name, r.StartTimeUnixNano, r.EndTimeUnixNano, r.IsError, attributes, r.Resource));
        }

        return list;
    }

    private static KeyValuePair<string, AttributeValue>[] Convert(Google.Protobuf.Collections.RepeatedField<KeyValue> attributes, AttributeFilter? filter)
    {
        var converted = new List<KeyValuePair<string, AttributeValue>>(attributes.Count);
        for (var i = 0; i < attributes.Count; i++)
        {
            var kv = attributes[i];
            var key = OtlpStrings.InternKey(kv.Key);
            if (filter is null || filter.Keeps(key))
            {
                converted.Add(new(key, OtlpSpanView.ToAttributeValue(kv.Value)));
            }
        }

        return [.. converted];
    }

    /// <summary>Collects a request's spans into pooled arrays, growing them as needed.</summary>
    internal struct Builder
    {
        private SpanRecord[] records;
        private KeyValuePair<string, AttributeValue>[] attributes;
        private byte[] text;
        private int count;
        private int attributeCount;
        private int textLength;
        private int spanAttributesStart;
        private int spanTextStart;
        private ulong spanDeferred;

        public Builder()
        {
            this.records = SpanBatchPool.Records.Rent(64);
            this.attributes = SpanBatchPool.Attributes.Rent(512);
            this.text = SpanBatchPool.Text.Rent(4096);
        }

        /// <summary>Begins a span: its attributes come next, through <see cref="AddAttribute"/>.</summary>
        public void BeginSpan()
        {
            this.spanAttributesStart = this.attributeCount;
            this.spanTextStart = this.textLength;
            this.spanDeferred = 0;
        }

        /// <summary>A string value kept as its UTF-8 bytes until replay (see <see cref="DeferredText"/>).</summary>
        public void AddDeferredString(string key, ReadOnlySpan<byte> utf8)
        {
            var index = this.attributeCount - this.spanAttributesStart;
            if (index >= DeferredText.MaxDeferredPerSpan)
            {
                this.AddAttribute(key, AttributeValue.OfString(OtlpStrings.Decode(utf8)));
                return;
            }

            if (this.text.Length - this.textLength < utf8.Length)
            {
                var larger = SpanBatchPool.Text.Rent(this.textLength + utf8.Length);
                this.text.AsSpan(0, this.textLength).CopyTo(larger);
                SpanBatchPool.Text.Return(this.text, 0);
                this.text = larger;
            }

            utf8.CopyTo(this.text.AsSpan(this.textLength));
            this.AddAttribute(key, DeferredText.Placeholder(this.textLength, utf8.Length));
            this.textLength += utf8.Length;
            this.spanDeferred |= 1UL << index;
        }

        public void AddAttribute(string key, AttributeValue value)
        {
            if (this.attributeCount == this.attributes.Length)
            {
                this.attributes = SpanBatchPool.Attributes.Grow(this.attributes, this.attributeCount);
            }

            this.attributes[this.attributeCount++] = new(key, value);
        }

        /// <summary>Ends the span begun last: kept, with the attributes added since.</summary>
        public void EndSpan(RawTraceId traceId, RawSpanId spanId, RawSpanId parent, string name, ulong start, ulong end, bool isError, DecodedResource? resource)
        {
            if (this.count == this.records.Length)
            {
                this.records = SpanBatchPool.Records.Grow(this.records, this.count);
            }

            this.records[this.count++] = new SpanRecord(traceId, spanId, parent, name, start, end, isError, resource, this.spanAttributesStart, this.attributeCount - this.spanAttributesStart, this.spanDeferred);
        }

        /// <summary>Drops the span begun last (its ids were malformed): its attributes are forgotten.</summary>
        public void DropSpan()
        {
            Array.Clear(this.attributes, this.spanAttributesStart, this.attributeCount - this.spanAttributesStart);
            this.attributeCount = this.spanAttributesStart;
            this.textLength = this.spanTextStart;
        }

        public void Add(RawTraceId traceId, RawSpanId spanId, RawSpanId parent, string name, ulong start, ulong end, bool isError, DecodedResource? resource, KeyValuePair<string, AttributeValue>[] spanAttributes)
        {
            this.BeginSpan();
            foreach (var (key, value) in spanAttributes)
            {
                this.AddAttribute(key, value);
            }

            this.EndSpan(traceId, spanId, parent, name, start, end, isError, resource);
        }

        public readonly SpanBatch Build(int invalid) => new(this.records, this.count, this.attributes, this.attributeCount, this.text, this.textLength, invalid);

        public readonly (SpanRecord[] Records, int Count, KeyValuePair<string, AttributeValue>[] Attributes, int AttributeCount, byte[] Text, int TextLength) Take() =>
            (this.records, this.count, this.attributes, this.attributeCount, this.text, this.textLength);
    }
}

/// <summary>
/// The arrays batches are decoded into, shared by the receivers (which rent) and the ingest workers
/// (which return): a request's spans then allocate nothing per span. Locked, briefly, a few times per
/// request. Keeps at most what a full queue of large requests needs.
/// </summary>
internal static class SpanBatchPool
{
    public static readonly LockedPool<SpanRecord> Records = new(16L * 1024 * 1024 / 96);

    public static readonly LockedPool<KeyValuePair<string, AttributeValue>> Attributes = new(64L * 1024 * 1024 / 32);

    public static readonly LockedPool<byte> Text = new(16L * 1024 * 1024);

    internal sealed class LockedPool<T>
    {
        private readonly SizeClassPool<T> pool;
        private readonly Lock gate = new();

        public LockedPool(long maxRetainedElements) => this.pool = new SizeClassPool<T>(maxRetainedElements);

        public long RetainedElements
        {
            get
            {
                lock (this.gate)
                {
                    return this.pool.RetainedElements;
                }
            }
        }

        public T[] Rent(int minimumLength)
        {
            lock (this.gate)
            {
                return this.pool.Rent(minimumLength);
            }
        }

        public void Return(T[] array, int used)
        {
            if (array.Length == 0)
            {
                return;
            }

            // Cleared outside the lock: the pool only stacks it.
            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                Array.Clear(array, 0, Math.Min(used, array.Length));
            }

            lock (this.gate)
            {
                this.pool.Return(array, 0);
            }
        }

        public T[] Grow(T[] array, int used)
        {
            var larger = this.Rent(array.Length * 2);
            Array.Copy(array, larger, used);
            this.Return(array, used);
            return larger;
        }
    }
}
