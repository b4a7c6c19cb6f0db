using System.Text;
using System.Text.Json;
using OpenTelemetry.Proto.Common.V1;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;

namespace UnitEconomics.Exporter.Tests;

/// <summary>
/// Writes OTLP/JSON by hand, per the OTLP specification's JSON mapping: lowerCamelCase field names,
/// trace and span ids as hex strings (not base64), 64-bit integers as decimal strings, enums as numbers.
/// </summary>
internal static class OtlpJson
{
    public static string Write(IEnumerable<ProtoSpan> spans, string service = "json-app")
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("resourceSpans");
            json.WriteStartObject();
            json.WriteStartObject("resource");
            json.WriteStartArray("attributes");
            WriteAttribute(json, "service.name", new AnyValue { StringValue = service });
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("scopeSpans");
            json.WriteStartObject();
            json.WriteStartObject("scope");
            json.WriteString("name", "tests.json");
            json.WriteEndObject();
            json.WriteStartArray("spans");
            foreach (var span in spans)
            {
                json.WriteStartObject();
                json.WriteString("traceId", Convert.ToHexStringLower(span.TraceId.Span));
                json.WriteString("spanId", Convert.ToHexStringLower(span.SpanId.Span));
                if (span.ParentSpanId.Length > 0)
                {
                    json.WriteString("parentSpanId", Convert.ToHexStringLower(span.ParentSpanId.Span));
                }

                json.WriteString("name", span.Name);
                json.WriteNumber("kind", 3); // SPAN_KIND_CLIENT
                json.WriteString("startTimeUnixNano", span.StartTimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("endTimeUnixNano", span.EndTimeUnixNano.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteStartArray("attributes");
                foreach (var kv in span.Attributes)
                {
                    WriteAttribute(json, kv.Key, kv.Value);
                }

                json.WriteEndArray();
                json.WriteStartObject("status");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteAttribute(Utf8JsonWriter json, string key, AnyValue value)
    {
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteStartObject("value");
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                json.WriteString("stringValue", value.StringValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                json.WriteString("intValue", value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                json.WriteBoolean("boolValue", value.BoolValue);
                break;
            default:
                throw new ArgumentException(key);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
