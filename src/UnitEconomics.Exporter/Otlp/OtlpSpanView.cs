using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// A decoded OTLP span seen through <see cref="ISpanView"/>, so the engine reads it exactly as it reads
/// an in-process <see cref="Activity"/>. Ids of the wrong length read as default rather than throw: the
/// receivers have already rejected such spans, this only keeps a stray one from faulting the engine.
/// </summary>
public readonly struct OtlpSpanView : ISpanView
{
    private readonly Span span;
    private readonly Resource? resource;

    public OtlpSpanView(Span span, Resource? resource)
    {
        this.span = span;
        this.resource = resource;
    }

    public Span Span => this.span;

    public Resource? Resource => this.resource;

    public string Name => this.span.Name;

    public ActivityTraceId TraceId => ReadTraceId(this.span.TraceId);

    public ActivitySpanId SpanId => ReadSpanId(this.span.SpanId);

    public ActivitySpanId ParentSpanId => ReadSpanId(this.span.ParentSpanId);

    public DateTime StartTimeUtc => FromUnixNanos(this.span.StartTimeUnixNano);

    public DateTime EndTimeUtc => FromUnixNanos(this.span.EndTimeUnixNano);

    public bool IsError => this.span.Status?.Code == Status.Types.StatusCode.Error;

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        // Indexing, not foreach: RepeatedField's enumerator is a boxed interface.
        var attributes = this.span.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            var kv = attributes[i];
            visitor.Visit(kv.Key, ToAttributeValue(kv.Value));
        }
    }

    public string? GetBaggage(string key) => null;

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        if (this.resource is not null && TryFind(this.resource.Attributes, key, out var any))
        {
            value = ToAttributeValue(any);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Maps an OTLP value to the engine's scalar view; structured and binary values are "other".</summary>
    public static AttributeValue ToAttributeValue(AnyValue? value)
    {
        if (value is null)
        {
            return default;
        }

        return value.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => AttributeValue.OfString(value.StringValue),
            AnyValue.ValueOneofCase.BoolValue => AttributeValue.OfBool(value.BoolValue),
            AnyValue.ValueOneofCase.IntValue => AttributeValue.OfLong(value.IntValue),
            AnyValue.ValueOneofCase.DoubleValue => AttributeValue.OfDouble(value.DoubleValue),
            AnyValue.ValueOneofCase.None => default,
            _ => AttributeValue.OfOther(),
        };
    }

    internal static DateTime FromUnixNanos(ulong nanos)
    {
        // 100 ns ticks; ulong.MaxValue / 100 ticks is still inside DateTime's range.
        return DateTime.UnixEpoch.AddTicks((long)(nanos / 100));
    }

    private static ActivityTraceId ReadTraceId(ByteString id) =>
        id.Length == OtlpIds.TraceIdLength ? ActivityTraceId.CreateFromBytes(id.Span) : default;

    private static ActivitySpanId ReadSpanId(ByteString id) =>
        id.Length == OtlpIds.SpanIdLength ? ActivitySpanId.CreateFromBytes(id.Span) : default;

    private static bool TryFind(RepeatedField<KeyValue> attributes, string key, out AnyValue? value)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            var kv = attributes[i];
            if (string.Equals(kv.Key, key, StringComparison.Ordinal))
            {
                value = kv.Value;
                return true;
            }
        }

        value = null;
        return false;
    }
}
