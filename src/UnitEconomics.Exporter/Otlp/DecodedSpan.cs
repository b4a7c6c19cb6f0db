using System.Diagnostics;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// A received span as the service keeps it: ids as values, attributes as one array of the engine's own
/// scalar values. Two objects per span where the generated message types take one per attribute key,
/// value and id; it is what the trace buffer holds while a trace waits for its root.
/// </summary>
public sealed class DecodedSpan
{
    public DecodedSpan(
        ActivityTraceId traceId,
        ActivitySpanId spanId,
        ActivitySpanId parentSpanId,
        string name,
        ulong startTimeUnixNano,
        ulong endTimeUnixNano,
        bool isError,
        KeyValuePair<string, AttributeValue>[] attributes,
        DecodedResource? resource)
        : this(RawTraceId.From(traceId), RawSpanId.From(spanId), RawSpanId.From(parentSpanId), name, startTimeUnixNano, endTimeUnixNano, isError, attributes, resource)
    {
    }

    /// <summary>
    /// Ids as raw bytes: an <see cref="ActivityTraceId"/> or <see cref="ActivitySpanId"/> holds a hex string
    /// (one more object per id, and a string compare per lookup); they are made only when asked for.
    /// </summary>
    internal DecodedSpan(
        RawTraceId traceId,
        RawSpanId spanId,
        RawSpanId parentSpanId,
        string name,
        ulong startTimeUnixNano,
        ulong endTimeUnixNano,
        bool isError,
        KeyValuePair<string, AttributeValue>[] attributes,
        DecodedResource? resource)
    {
        this.RawTraceId = traceId;
        this.RawSpanId = spanId;
        this.RawParentSpanId = parentSpanId;
        this.Name = name;
        this.StartTimeUnixNano = startTimeUnixNano;
        this.EndTimeUnixNano = endTimeUnixNano;
        this.IsError = isError;
        this.Attributes = attributes;
        this.Resource = resource;
    }

    public ActivityTraceId TraceId => this.RawTraceId.ToActivityTraceId();

    public ActivitySpanId SpanId => this.RawSpanId.ToActivitySpanId();

    /// <summary>Default for a root span.</summary>
    public ActivitySpanId ParentSpanId => this.RawParentSpanId.ToActivitySpanId();

    public string Name { get; }

    public ulong StartTimeUnixNano { get; }

    public ulong EndTimeUnixNano { get; }

    public bool IsError { get; }

    public KeyValuePair<string, AttributeValue>[] Attributes { get; }

    public DecodedResource? Resource { get; }

    internal RawTraceId RawTraceId { get; }

    internal RawSpanId RawSpanId { get; }

    internal RawSpanId RawParentSpanId { get; }
}

/// <summary>The resource a batch of spans came with; shared by its spans.</summary>
public sealed class DecodedResource
{
    public DecodedResource(KeyValuePair<string, AttributeValue>[] attributes) => this.Attributes = attributes;

    public KeyValuePair<string, AttributeValue>[] Attributes { get; }

    public bool TryGet(string key, out AttributeValue value)
    {
        foreach (var (k, v) in this.Attributes)
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

/// <summary>A <see cref="DecodedSpan"/> seen through <see cref="ISpanView"/>, as the engine reads it.</summary>
public readonly struct DecodedSpanView : ISpanView
{
    private readonly DecodedSpan span;

    public DecodedSpanView(DecodedSpan span) => this.span = span;

    public string Name => this.span.Name;

    public ActivityTraceId TraceId => this.span.TraceId;

    public ActivitySpanId SpanId => this.span.SpanId;

    public ActivitySpanId ParentSpanId => this.span.ParentSpanId;

    public DateTime StartTimeUtc => OtlpSpanView.FromUnixNanos(this.span.StartTimeUnixNano);

    public DateTime EndTimeUtc => OtlpSpanView.FromUnixNanos(this.span.EndTimeUnixNano);

    public bool IsError => this.span.IsError;

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        var attributes = this.span.Attributes;
        for (var i = 0; i < attributes.Length; i++)
        {
            visitor.Visit(attributes[i].Key, attributes[i].Value);
        }
    }

    public string? GetBaggage(string key) => null;

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        if (this.span.Resource is { } resource)
        {
            return resource.TryGet(key, out value);
        }

        value = default;
        return false;
    }
}
