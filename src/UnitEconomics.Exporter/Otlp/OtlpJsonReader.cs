using System.Globalization;
using System.Text.Json;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Reads OTLP/JSON straight into a <see cref="SpanBatch"/>, as <see cref="OtlpProtobufReader"/> reads
/// protobuf: only what the service uses (ids, name, times, status code, attributes, the resource's
/// attributes); events, links and scopes are not read. OTLP/JSON is the proto3 JSON mapping with
/// OTLP's deviations: trace and span ids are hex, not base64; enums are integers; keys are lowerCamelCase
/// only; unknown keys are ignored; 64-bit integers may be strings or numbers; <c>null</c> means the
/// field's default. Malformed input throws <see cref="OtlpFormatException"/>.
/// </summary>
public static class OtlpJsonReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Reads a request; with a <paramref name="reader"/>, attributes whose keys it does not read are left out.</summary>
    /// <exception cref="OtlpFormatException">The payload is not OTLP/JSON.</exception>
    public static SpanBatch Read(ReadOnlyMemory<byte> utf8Json, SpanNormalizer? reader = null)
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
                var batch = new SpanBatch.Builder();
                var invalid = 0;
                if (root.TryGetProperty("resourceSpans", out var resourceSpans))
                {
                    foreach (var item in Items(resourceSpans))
                    {
                        ReadResourceSpans(item, ref batch, ref invalid, reader);
                    }
                }

                var built = batch.Build(invalid);
                built.EncodedBytes = utf8Json.Length;
                return built;
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

    private static void ReadResourceSpans(JsonElement element, ref SpanBatch.Builder batch, ref int invalid, SpanNormalizer? reader)
    {
        RequireObject(element, "ResourceSpans");
        DecodedResource? resource = null;
        if (element.TryGetProperty("resource", out var r) && !IsNull(r))
        {
            RequireObject(r, "Resource");
            if (r.TryGetProperty("attributes", out var attributes))
            {
                var kept = new List<KeyValuePair<string, AttributeValue>>();
                foreach (var item in Items(attributes))
                {
                    if (ReadKeyValue(item, reader, out var key, out var value))
                    {
                        kept.Add(new(key, value));
                    }
                }

                resource = kept.Count == 0 ? null : new DecodedResource([.. kept]);
            }
        }

        if (!element.TryGetProperty("scopeSpans", out var scopeSpans))
        {
            return;
        }

        foreach (var scope in Items(scopeSpans))
        {
            RequireObject(scope, "ScopeSpans");
            if (scope.TryGetProperty("spans", out var spans))
            {
                foreach (var span in Items(spans))
                {
                    if (!ReadSpan(span, resource, ref batch, reader))
                    {
                        invalid++;
                    }
                }
            }
        }
    }

    /// <summary>One span into the batch; false (and nothing kept) when its ids are malformed (<see cref="OtlpIds"/>).</summary>
    private static bool ReadSpan(JsonElement element, DecodedResource? resource, ref SpanBatch.Builder batch, SpanNormalizer? reader)
    {
        RequireObject(element, "Span");
        Span<byte> traceId = stackalloc byte[32], spanId = stackalloc byte[32], parentId = stackalloc byte[32];
        int traceIdLength = 0, spanIdLength = 0, parentIdLength = 0;
        var name = string.Empty;
        ulong start = 0, end = 0;
        var isError = false;
        batch.BeginSpan();
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "traceId": traceIdLength = ReadHexId(value, traceId); break;
                case "spanId": spanIdLength = ReadHexId(value, spanId); break;
                case "parentSpanId": parentIdLength = ReadHexId(value, parentId); break;
                case "name": name = ReadString(value); break;
                case "kind": ReadEnum(value); break; // not used, but an enum given by name is not OTLP/JSON
                case "startTimeUnixNano": start = ReadUInt64(value); break;
                case "endTimeUnixNano": end = ReadUInt64(value); break;
                case "status" when !IsNull(value):
                    RequireObject(value, "Status");
                    isError = value.TryGetProperty("code", out var code) && ReadEnum(code) == 2; // STATUS_CODE_ERROR
                    break;
                case "attributes":
                    foreach (var item in Items(value))
                    {
                        if (ReadKeyValue(item, reader, out var key, out var attribute))
                        {
                            batch.AddAttribute(key, attribute);
                        }
                    }

                    break;
            }
        }

        ReadOnlySpan<byte> trace = traceId[..traceIdLength], span = spanId[..spanIdLength], parent = parentId[..parentIdLength];
        if (!OtlpIds.AreValid(trace, span, parent))
        {
            batch.DropSpan();
            return false;
        }

        batch.EndSpan(RawTraceId.From(trace), RawSpanId.From(span), parent.Length == 0 ? default : RawSpanId.From(parent), name, start, end, isError, resource);
        return true;
    }

    /// <summary>One attribute; false when <paramref name="reader"/> does not read its key (its value then not read).</summary>
    private static bool ReadKeyValue(JsonElement element, SpanNormalizer? reader, out string key, out AttributeValue value)
    {
        RequireObject(element, "KeyValue");
        key = element.TryGetProperty("key", out var k) ? OtlpStrings.InternKey(ReadString(k)) : string.Empty;
        value = default;
        if (reader is not null && !reader.ReadsKey(key))
        {
            return false;
        }

        if (element.TryGetProperty("value", out var v) && !IsNull(v))
        {
            value = ReadAnyValue(v);
        }

        return true;
    }

    /// <summary>AnyValue's oneof in the engine's scalar view: arrays, maps and bytes are "other".</summary>
    private static AttributeValue ReadAnyValue(JsonElement element)
    {
        RequireObject(element, "AnyValue");
        var result = default(AttributeValue);
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            if (IsNull(value))
            {
                continue;
            }

            result = property.Name switch
            {
                "stringValue" => AttributeValue.OfString(ReadString(value)),
                "boolValue" => value.ValueKind switch
                {
                    JsonValueKind.True => AttributeValue.OfBool(true),
                    JsonValueKind.False => AttributeValue.OfBool(false),
                    _ => throw new OtlpFormatException("boolValue must be true or false"),
                },
                "intValue" => AttributeValue.OfLong(ReadInt64(value)),
                "doubleValue" => AttributeValue.OfDouble(ReadDouble(value)),
                "bytesValue" when value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out _) =>
                    throw new OtlpFormatException("bytesValue must be a base64 string"),
                "bytesValue" or "arrayValue" or "kvlistValue" => AttributeValue.OfOther(),
                _ => result,
            };
        }

        return result;
    }

    /// <summary>The elements of a JSON array (none for null).</summary>
    private static JsonElement.ArrayEnumerator Items(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.EnumerateArray(),
        JsonValueKind.Null => default,
        _ => throw new OtlpFormatException($"expected an array, found {element.ValueKind}"),
    };

    /// <summary>
    /// A hex id into <paramref name="destination"/>; its length in bytes. An id that is not hex reads as
    /// one byte long: the id check then rejects that span (invalid_id) while the rest of the request is
    /// kept, the same as an id of the wrong length in protobuf.
    /// </summary>
    private static int ReadHexId(JsonElement element, Span<byte> destination)
    {
        var text = ReadString(element);
        if (text.Length == 0)
        {
            return 0;
        }

        if ((text.Length & 1) != 0 || text.Length > destination.Length * 2)
        {
            return 1;
        }

        return Convert.FromHexString(text, destination, out _, out var written) == System.Buffers.OperationStatus.Done ? written : 1;
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

        // The proto3 JSON mapping spells the non-finite values as strings ("NaN", "Infinity", "-Infinity",
        // which the invariant culture parses); numbers may be quoted too.
        if (element.ValueKind == JsonValueKind.String && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
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
public sealed class OtlpFormatException(string message, Exception? innerException = null) : Exception(message, innerException);
