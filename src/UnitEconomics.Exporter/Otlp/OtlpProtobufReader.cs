using System.Buffers.Binary;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (protobuf) straight into a <see cref="SpanBatch"/>'s
/// pooled span records: only what the service uses (ids, name, times, status code, attributes, the
/// resource's attributes), with no object per span, attribute, key or id. Field numbers are opentelemetry-proto's (trace.proto,
/// common.proto, resource.proto); unknown fields are skipped by wire type, as protobuf requires.
/// Malformed input throws <see cref="OtlpFormatException"/>.
/// </summary>
public static class OtlpProtobufReader
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLength = 2;
    private const int WireFixed32 = 5;

    // A scratch list per thread for a resource's attributes (copied out at the exact size).
    [ThreadStatic]
    private static List<KeyValuePair<string, AttributeValue>>? scratch;

    /// <summary>Reads a request; with a <paramref name="reader"/>, attributes whose keys it does not read are skipped undecoded.</summary>
    public static SpanBatch Read(ReadOnlySpan<byte> request, SpanNormalizer? reader = null)
    {
        var batch = new SpanBatch.Builder();
        var invalid = 0;
        var resourceAttributes = scratch ??= new List<KeyValuePair<string, AttributeValue>>(32);
        var r = new Reader(request);
        while (r.NextMessage(1, out var resourceSpans)) // ExportTraceServiceRequest.resource_spans
        {
            ReadResourceSpans(resourceSpans, ref batch, ref invalid, resourceAttributes, reader);
        }

        var built = batch.Build(invalid);
        built.EncodedBytes = request.Length;
        return built;
    }

    private static void ReadResourceSpans(ReadOnlySpan<byte> message, ref SpanBatch.Builder batch, ref int invalid, List<KeyValuePair<string, AttributeValue>> attributes, SpanNormalizer? reader)
    {
        // The resource may come after its spans on the wire: find it first.
        DecodedResource? resource = null;
        var r = new Reader(message);
        while (r.NextMessage(1, out var resourceMessage)) // ResourceSpans.resource
        {
            attributes.Clear();
            var rr = new Reader(resourceMessage);
            while (rr.NextMessage(1, out var keyValue)) // Resource.attributes
            {
                if (ReadKeyValue(keyValue, reader, out var key, out var value))
                {
                    attributes.Add(new(key, value));
                }
            }

            // Most resources hold nothing the engine reads (only a tenant may be set there).
            resource = attributes.Count == 0 ? null : new DecodedResource([.. attributes]);
        }

        r = new Reader(message);
        while (r.NextMessage(2, out var scopeSpans)) // ResourceSpans.scope_spans
        {
            var scope = new Reader(scopeSpans);
            while (scope.NextMessage(2, out var span)) // ScopeSpans.spans
            {
                if (!ReadSpan(span, resource, ref batch, reader))
                {
                    invalid++;
                }
            }
        }
    }

    /// <summary>One span into the batch; false (and nothing kept) when its ids are malformed (<see cref="OtlpIds"/>).</summary>
    private static bool ReadSpan(ReadOnlySpan<byte> message, DecodedResource? resource, ref SpanBatch.Builder batch, SpanNormalizer? reader)
    {
        ReadOnlySpan<byte> traceId = default, spanId = default, parentId = default, name = default;
        ulong start = 0, end = 0;
        var isError = false;
        batch.BeginSpan();
        var r = new Reader(message);
        while (r.More)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLength: traceId = r.Bytes(); break;
                case 2 when wire == WireLength: spanId = r.Bytes(); break;
                case 4 when wire == WireLength: parentId = r.Bytes(); break;
                case 5 when wire == WireLength: name = r.Bytes(); break;
                case 7 when wire == WireFixed64: start = r.Fixed64(); break;
                case 8 when wire == WireFixed64: end = r.Fixed64(); break;
                case 9 when wire == WireLength:
                    if (ReadKeyValue(r.Bytes(), reader, out var key, out var value))
                    {
                        batch.AddAttribute(key, value);
                    }

                    break;
                case 15 when wire == WireLength: isError = ReadStatusCode(r.Bytes()) == 2; break; // STATUS_CODE_ERROR
                default: r.Skip(wire); break;
            }
        }

        if (!OtlpIds.AreValid(traceId, spanId, parentId))
        {
            batch.DropSpan();
            return false;
        }

        batch.EndSpan(
            RawTraceId.From(traceId),
            RawSpanId.From(spanId),
            parentId.Length == 0 ? default : RawSpanId.From(parentId),
            OtlpStrings.Value(name, cache: true),
            start,
            end,
            isError,
            resource);
        return true;
    }

    private static int ReadStatusCode(ReadOnlySpan<byte> message)
    {
        var code = 0;
        var r = new Reader(message);
        while (r.More)
        {
            var (field, wire) = r.Tag();
            if (field == 3 && wire == WireVarint)
            {
                code = (int)r.Varint();
            }
            else
            {
                r.Skip(wire);
            }
        }

        return code;
    }

    /// <summary>One attribute; false (its value not decoded) when <paramref name="reader"/> does not read its key.</summary>
    private static bool ReadKeyValue(ReadOnlySpan<byte> message, SpanNormalizer? reader, out string key, out AttributeValue value)
    {
        ReadOnlySpan<byte> keyBytes = default, valueBytes = default;
        var hasValue = false;
        var r = new Reader(message);
        while (r.More)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == WireLength)
            {
                keyBytes = r.Bytes();
            }
            else if (field == 2 && wire == WireLength)
            {
                valueBytes = r.Bytes();
                hasValue = true;
            }
            else
            {
                r.Skip(wire);
            }
        }

        key = OtlpStrings.Key(keyBytes, out var cacheValues);
        if (reader is not null && !reader.ReadsKey(key))
        {
            value = default;
            return false;
        }

        value = hasValue ? ReadAnyValue(valueBytes, cacheValues) : default;
        return true;
    }

    /// <summary>AnyValue's oneof: the last field on the wire wins; arrays, maps and bytes are "other".</summary>
    private static AttributeValue ReadAnyValue(ReadOnlySpan<byte> message, bool cacheStrings)
    {
        var value = default(AttributeValue);
        var r = new Reader(message);
        while (r.More)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLength: value = AttributeValue.OfString(OtlpStrings.Value(r.Bytes(), cacheStrings)); break;
                case 2 when wire == WireVarint: value = AttributeValue.OfBool(r.Varint() != 0); break;
                case 3 when wire == WireVarint: value = AttributeValue.OfLong((long)r.Varint()); break;
                case 4 when wire == WireFixed64: value = AttributeValue.OfDouble(BitConverter.UInt64BitsToDouble(r.Fixed64())); break;
                case 5 or 6 or 7 when wire == WireLength: r.Bytes(); value = AttributeValue.OfOther(); break;
                default: r.Skip(wire); break; // an unknown field changes nothing
            }
        }

        return value;
    }

    /// <summary>A cursor over one message's bytes.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> buffer;
        private int position;

        public Reader(ReadOnlySpan<byte> buffer)
        {
            this.buffer = buffer;
            this.position = 0;
        }

        public readonly bool More => this.position < this.buffer.Length;

        public (int Field, int Wire) Tag()
        {
            var tag = this.Varint();
            var field = tag >> 3;
            if (field == 0 || field > int.MaxValue)
            {
                throw new OtlpFormatException("invalid protobuf tag");
            }

            return ((int)field, (int)(tag & 7));
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (this.position >= this.buffer.Length)
                {
                    throw new OtlpFormatException("truncated protobuf varint");
                }

                var b = this.buffer[this.position++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return result;
                }
            }

            throw new OtlpFormatException("malformed protobuf varint");
        }

        public ulong Fixed64()
        {
            if (this.buffer.Length - this.position < 8)
            {
                throw new OtlpFormatException("truncated protobuf fixed64");
            }

            var value = BinaryPrimitives.ReadUInt64LittleEndian(this.buffer[this.position..]);
            this.position += 8;
            return value;
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = this.Varint();
            if (length > (ulong)(this.buffer.Length - this.position))
            {
                throw new OtlpFormatException("truncated protobuf length-delimited field");
            }

            var bytes = this.buffer.Slice(this.position, (int)length);
            this.position += (int)length;
            return bytes;
        }

        /// <summary>Moves to the next length-delimited field numbered <paramref name="field"/>, skipping any other; false at the end.</summary>
        public bool NextMessage(int field, out ReadOnlySpan<byte> bytes)
        {
            while (this.More)
            {
                var (f, wire) = this.Tag();
                if (f == field && wire == WireLength)
                {
                    bytes = this.Bytes();
                    return true;
                }

                this.Skip(wire);
            }

            bytes = default;
            return false;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case WireVarint: this.Varint(); break;
                case WireFixed64: this.Advance(8); break;
                case WireLength: this.Bytes(); break;
                case WireFixed32: this.Advance(4); break;
                default: throw new OtlpFormatException($"unsupported protobuf wire type {wire}");
            }
        }

        private void Advance(int count)
        {
            if (this.buffer.Length - this.position < count)
            {
                throw new OtlpFormatException("truncated protobuf field");
            }

            this.position += count;
        }
    }
}
