using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Reads OTLP/JSON into the generated messages. OTLP/JSON is the proto3 JSON mapping with deviations
/// that Google.Protobuf's JsonParser does not know: trace and span ids are hex, not base64; enums are
/// integers; keys are lowerCamelCase only; unknown keys are ignored. 64-bit integers may be strings or
/// numbers, <c>null</c> means the field's default.
/// </summary>
public static class OtlpJsonReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    // An id that is not hex becomes one byte long: the id check then rejects that span (invalid_id)
    // while the rest of the request is kept, the same as an id of the wrong length in protobuf.
    private static readonly ByteString InvalidId = ByteString.CopyFrom(0);

    /// <exception cref="OtlpFormatException">The payload is not OTLP/JSON.</exception>
    public static ExportTraceServiceRequest ReadExportRequest(ReadOnlyMemory<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new OtlpFormatException("invalid JSON: " + e.Message, e);
        }

        using (document)
        {
            try
            {
                var root = document.RootElement;
                RequireObject(root, "ExportTraceServiceRequest");
                var request = new ExportTraceServiceRequest();
                foreach (var property in root.EnumerateObject())
                {
                    if (property.NameEquals("resourceSpans"))
                    {
                        ReadArray(property.Value, request.ResourceSpans, ReadResourceSpans);
                    }
                }

                return request;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
            {
                // The parser checks structure, not string contents: a raw invalid UTF-8 byte or a lone
                // surrogate escape ("\ud800") fails only when the string is read, with the reader's own
                // exception types. They are the sender's fault like any other malformed payload.
                throw new OtlpFormatException("invalid text in a JSON string: " + e.Message, e);
            }
        }
    }

    private static ResourceSpans ReadResourceSpans(JsonElement element)
    {
        RequireObject(element, "ResourceSpans");
        var message = new ResourceSpans();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("resource"))
            {
                message.Resource = IsNull(value) ? null : ReadResource(value);
            }
            else if (property.NameEquals("scopeSpans"))
            {
                ReadArray(value, message.ScopeSpans, ReadScopeSpans);
            }
            else if (property.NameEquals("schemaUrl"))
            {
                message.SchemaUrl = ReadString(value);
            }
        }

        return message;
    }

    private static Resource ReadResource(JsonElement element)
    {
        RequireObject(element, "Resource");
        var message = new Resource();
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("attributes"))
            {
                ReadArray(property.Value, message.Attributes, ReadKeyValue);
            }
            else if (property.NameEquals("droppedAttributesCount"))
            {
                message.DroppedAttributesCount = ReadUInt32(property.Value);
            }
        }

        return message;
    }

    private static ScopeSpans ReadScopeSpans(JsonElement element)
    {
        RequireObject(element, "ScopeSpans");
        var message = new ScopeSpans();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("scope"))
            {
                message.Scope = IsNull(value) ? null : ReadScope(value);
            }
            else if (property.NameEquals("spans"))
            {
                ReadArray(value, message.Spans, ReadSpan);
            }
            else if (property.NameEquals("schemaUrl"))
            {
                message.SchemaUrl = ReadString(value);
            }
        }

        return message;
    }

    private static InstrumentationScope ReadScope(JsonElement element)
    {
        RequireObject(element, "InstrumentationScope");
        var message = new InstrumentationScope();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (property.NameEquals("name"))
            {
                message.Name = ReadString(value);
            }
            else if (property.NameEquals("version"))
            {
                message.Version = ReadString(value);
            }
            else if (property.NameEquals("attributes"))
            {
                ReadArray(value, message.Attributes, ReadKeyValue);
            }
            else if (property.NameEquals("droppedAttributesCount"))
            {
                message.DroppedAttributesCount = ReadUInt32(value);
            }
        }

        return message;
    }

    private static Span ReadSpan(JsonElement element)
    {
        RequireObject(element, "Span");
        var span = new Span();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "traceId":
                    span.TraceId = ReadHexId(value);
                    break;
                case "spanId":
                    span.SpanId = ReadHexId(value);
                    break;
                case "parentSpanId":
                    span.ParentSpanId = ReadHexId(value);
                    break;
                case "traceState":
                    span.TraceState = ReadString(value);
                    break;
                case "flags":
                    span.Flags = ReadUInt32(value);
                    break;
                case "name":
                    span.Name = ReadString(value);
                    break;
                case "kind":
                    span.Kind = (Span.Types.SpanKind)ReadEnum(value);
                    break;
                case "startTimeUnixNano":
                    span.StartTimeUnixNano = ReadUInt64(value);
                    break;
                case "endTimeUnixNano":
                    span.EndTimeUnixNano = ReadUInt64(value);
                    break;
                case "attributes":
                    ReadArray(value, span.Attributes, ReadKeyValue);
                    break;
                case "droppedAttributesCount":
                    span.DroppedAttributesCount = ReadUInt32(value);
                    break;
                case "events":
                    ReadArray(value, span.Events, ReadEvent);
                    break;
                case "droppedEventsCount":
                    span.DroppedEventsCount = ReadUInt32(value);
                    break;
                case "links":
                    ReadArray(value, span.Links, ReadLink);
                    break;
                case "droppedLinksCount":
                    span.DroppedLinksCount = ReadUInt32(value);
                    break;
                case "status":
                    span.Status = IsNull(value) ? null : ReadStatus(value);
                    break;
            }
        }

        return span;
    }

    private static Span.Types.Event ReadEvent(JsonElement element)
    {
        RequireObject(element, "Event");
        var message = new Span.Types.Event();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "timeUnixNano":
                    message.TimeUnixNano = ReadUInt64(value);
                    break;
                case "name":
                    message.Name = ReadString(value);
                    break;
                case "attributes":
                    ReadArray(value, message.Attributes, ReadKeyValue);
                    break;
                case "droppedAttributesCount":
                    message.DroppedAttributesCount = ReadUInt32(value);
                    break;
            }
        }

        return message;
    }

    private static Span.Types.Link ReadLink(JsonElement element)
    {
        RequireObject(element, "Link");
        var message = new Span.Types.Link();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "traceId":
                    message.TraceId = ReadHexId(value);
                    break;
                case "spanId":
                    message.SpanId = ReadHexId(value);
                    break;
                case "traceState":
                    message.TraceState = ReadString(value);
                    break;
                case "attributes":
                    ReadArray(value, message.Attributes, ReadKeyValue);
                    break;
                case "droppedAttributesCount":
                    message.DroppedAttributesCount = ReadUInt32(value);
                    break;
                case "flags":
                    message.Flags = ReadUInt32(value);
                    break;
            }
        }

        return message;
    }

    private static Status ReadStatus(JsonElement element)
    {
        RequireObject(element, "Status");
        var message = new Status();
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("message"))
            {
                message.Message = ReadString(property.Value);
            }
            else if (property.NameEquals("code"))
            {
                message.Code = (Status.Types.StatusCode)ReadEnum(property.Value);
            }
        }

        return message;
    }

    private static KeyValue ReadKeyValue(JsonElement element)
    {
        RequireObject(element, "KeyValue");
        var message = new KeyValue();
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("key"))
            {
                message.Key = ReadString(property.Value);
            }
            else if (property.NameEquals("value"))
            {
                message.Value = IsNull(property.Value) ? null : ReadAnyValue(property.Value);
            }
        }

        return message;
    }

    private static AnyValue ReadAnyValue(JsonElement element)
    {
        RequireObject(element, "AnyValue");
        var message = new AnyValue();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (IsNull(value))
            {
                continue;
            }

            switch (property.Name)
            {
                case "stringValue":
                    message.StringValue = ReadString(value);
                    break;
                case "boolValue":
                    message.BoolValue = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new OtlpFormatException("boolValue must be true or false"),
                    };
                    break;
                case "intValue":
                    message.IntValue = ReadInt64(value);
                    break;
                case "doubleValue":
                    message.DoubleValue = ReadDouble(value);
                    break;
                case "bytesValue":
                    message.BytesValue = ReadBase64(value);
                    break;
                case "arrayValue":
                    RequireObject(value, "ArrayValue");
                    var array = new ArrayValue();
                    if (value.TryGetProperty("values", out var values))
                    {
                        ReadArray(values, array.Values, ReadAnyValue);
                    }

                    message.ArrayValue = array;
                    break;
                case "kvlistValue":
                    RequireObject(value, "KeyValueList");
                    var list = new KeyValueList();
                    if (value.TryGetProperty("values", out var pairs))
                    {
                        ReadArray(pairs, list.Values, ReadKeyValue);
                    }

                    message.KvlistValue = list;
                    break;
            }
        }

        return message;
    }

    private static void ReadArray<T>(JsonElement element, RepeatedField<T> target, Func<JsonElement, T> read)
    {
        if (IsNull(element))
        {
            return;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new OtlpFormatException($"expected an array, found {element.ValueKind}");
        }

        foreach (var item in element.EnumerateArray())
        {
            target.Add(read(item));
        }
    }

    private static ByteString ReadHexId(JsonElement element)
    {
        var text = ReadString(element);
        if (text.Length == 0)
        {
            return ByteString.Empty;
        }

        if ((text.Length & 1) != 0 || text.Length > 64)
        {
            return InvalidId;
        }

        Span<byte> bytes = stackalloc byte[text.Length / 2];
        return Convert.FromHexString(text, bytes, out _, out _) == System.Buffers.OperationStatus.Done
            ? ByteString.CopyFrom(bytes)
            : InvalidId;
    }

    private static ByteString ReadBase64(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String || !element.TryGetBytesFromBase64(out var bytes))
        {
            throw new OtlpFormatException("bytesValue must be a base64 string");
        }

        return ByteString.CopyFrom(bytes);
    }

    private static string ReadString(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => throw new OtlpFormatException($"expected a string, found {element.ValueKind}"),
    };

    private static int ReadEnum(JsonElement element)
    {
        // OTLP/JSON requires integer enum values; enum names are not accepted.
        if (element.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value))
        {
            return value;
        }

        throw new OtlpFormatException("enum values must be integers in OTLP/JSON");
    }

    private static uint ReadUInt32(JsonElement element)
    {
        var value = ReadUInt64(element);
        return value <= uint.MaxValue ? (uint)value : throw new OtlpFormatException("value out of range for uint32");
    }

    private static ulong ReadUInt64(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return 0;
            case JsonValueKind.Number when element.TryGetUInt64(out var number):
                return number;
            case JsonValueKind.String when ulong.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                throw new OtlpFormatException($"expected an unsigned integer, found {element.ValueKind} '{element.GetRawText()}'");
        }
    }

    private static long ReadInt64(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                return number;
            case JsonValueKind.String when long.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            default:
                throw new OtlpFormatException($"expected an integer, found {element.ValueKind} '{element.GetRawText()}'");
        }
    }

    private static double ReadDouble(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number))
        {
            return number;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            // The proto3 JSON mapping spells the non-finite values as strings; numbers may be quoted too.
            var text = element.GetString();
            switch (text)
            {
                case "NaN":
                    return double.NaN;
                case "Infinity":
                    return double.PositiveInfinity;
                case "-Infinity":
                    return double.NegativeInfinity;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
        }

        throw new OtlpFormatException($"expected a number, found {element.ValueKind}");
    }

    private static bool IsNull(JsonElement element) => element.ValueKind == JsonValueKind.Null;

    private static void RequireObject(JsonElement element, string message)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new OtlpFormatException($"{message} must be a JSON object, found {element.ValueKind}");
        }
    }
}

/// <summary>The payload could not be decoded as OTLP; the receiver answers 400 / INVALID_ARGUMENT.</summary>
public sealed class OtlpFormatException : Exception
{
    public OtlpFormatException()
    {
    }

    public OtlpFormatException(string message)
        : base(message)
    {
    }

    public OtlpFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
