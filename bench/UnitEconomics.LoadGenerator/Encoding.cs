using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace UnitEconomics.LoadGenerator;

/// <summary>The three OTLP trace transports the service receives.</summary>
internal enum Transport
{
    HttpProtobuf,
    Grpc,
    HttpJson,
}

/// <summary>
/// A pre-encoded request body and where the trace-id markers sit in it. <see cref="Stamp"/> rewrites
/// the markers in a sender's own copy before each send (a few hundred 8-byte writes), so the service
/// sees new traces every time while the generator never re-encodes.
/// </summary>
internal sealed class EncodedBatch
{
    private readonly int[] markers;
    private readonly bool hex;

    private EncodedBatch(byte[] body, int[] markers, bool hex)
    {
        this.Body = body;
        this.markers = markers;
        this.hex = hex;
    }

    public byte[] Body { get; }

    public int TraceIdCount => this.markers.Length;

    public static EncodedBatch Encode(ExportTraceServiceRequest request, Transport transport)
    {
        switch (transport)
        {
            case Transport.HttpProtobuf:
                var bytes = request.ToByteArray();
                return new EncodedBatch(bytes, Find(bytes, Workload.TraceIdMarker), hex: false);
            case Transport.Grpc:
                // gRPC length-prefixed message: no compression flag, then the length big-endian.
                var message = request.ToByteArray();
                var framed = new byte[message.Length + 5];
                BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
                message.CopyTo(framed, 5);
                return new EncodedBatch(framed, Find(framed, Workload.TraceIdMarker), hex: false);
            default:
                var json = Json(request);
                return new EncodedBatch(json, Find(json, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Workload.TraceIdMarker))), hex: true);
        }
    }

    /// <summary>A copy a sender owns and stamps before each send.</summary>
    public EncodedBatch Copy() => new((byte[])this.Body.Clone(), this.markers, this.hex);

    /// <summary>Writes <paramref name="sequence"/> over the high half of every trace id (never all zero).</summary>
    public void Stamp(ulong sequence)
    {
        Span<byte> high = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(high, sequence | (1UL << 63));
        Span<byte> hexHigh = stackalloc byte[16];
        if (this.hex)
        {
            System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(high), hexHigh);
        }

        foreach (var offset in this.markers)
        {
            (this.hex ? hexHigh : high).CopyTo(this.Body.AsSpan(offset));
        }
    }

    private static int[] Find(byte[] haystack, byte[] needle)
    {
        var found = new List<int>();
        var span = haystack.AsSpan();
        for (var at = 0; ;)
        {
            var i = span[at..].IndexOf(needle);
            if (i < 0)
            {
                break;
            }

            found.Add(at + i);
            at += i + needle.Length;
        }

        return [.. found];
    }

    /// <summary>OTLP/JSON as the specification writes it: hex ids, integer enums, 64-bit integers as strings.</summary>
    private static byte[] Json(ExportTraceServiceRequest request)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartArray("resourceSpans");
            foreach (var rs in request.ResourceSpans)
            {
                w.WriteStartObject();
                w.WriteStartObject("resource");
                Attributes(w, rs.Resource.Attributes);
                w.WriteEndObject();
                w.WriteStartArray("scopeSpans");
                foreach (var ss in rs.ScopeSpans)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("scope");
                    w.WriteString("name", ss.Scope.Name);
                    w.WriteString("version", ss.Scope.Version);
                    w.WriteEndObject();
                    w.WriteStartArray("spans");
                    foreach (var s in ss.Spans)
                    {
                        SpanJson(w, s);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void SpanJson(Utf8JsonWriter w, Span s)
    {
        w.WriteStartObject();
        w.WriteString("traceId", Convert.ToHexStringLower(s.TraceId.Span));
        w.WriteString("spanId", Convert.ToHexStringLower(s.SpanId.Span));
        if (!s.ParentSpanId.IsEmpty)
        {
            w.WriteString("parentSpanId", Convert.ToHexStringLower(s.ParentSpanId.Span));
        }

        w.WriteString("name", s.Name);
        w.WriteNumber("kind", (int)s.Kind);
        w.WriteString("startTimeUnixNano", s.StartTimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("endTimeUnixNano", s.EndTimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Attributes(w, s.Attributes);
        if (s.Status is { } status)
        {
            w.WriteStartObject("status");
            w.WriteNumber("code", (int)status.Code);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void Attributes(Utf8JsonWriter w, IEnumerable<KeyValue> attributes)
    {
        w.WriteStartArray("attributes");
        foreach (var kv in attributes)
        {
            w.WriteStartObject();
            w.WriteString("key", kv.Key);
            w.WriteStartObject("value");
            switch (kv.Value.ValueCase)
            {
                case AnyValue.ValueOneofCase.StringValue:
                    w.WriteString("stringValue", kv.Value.StringValue);
                    break;
                case AnyValue.ValueOneofCase.IntValue:
                    w.WriteString("intValue", kv.Value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case AnyValue.ValueOneofCase.DoubleValue:
                    w.WriteNumber("doubleValue", kv.Value.DoubleValue);
                    break;
                case AnyValue.ValueOneofCase.BoolValue:
                    w.WriteBoolean("boolValue", kv.Value.BoolValue);
                    break;
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
