using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Checks span ids before anything reads them: a trace id is 16 bytes, a span id 8, neither all zero
/// (OTLP calls those invalid); a parent span id is empty (root) or 8 bytes.
/// </summary>
public static class OtlpIds
{
    public const int TraceIdLength = 16;
    public const int SpanIdLength = 8;

    public static bool IsValid(Span span) =>
        IsValidId(span.TraceId, TraceIdLength)
        && IsValidId(span.SpanId, SpanIdLength)
        && (span.ParentSpanId.Length == 0 || span.ParentSpanId.Length == SpanIdLength);

    /// <summary>Removes the spans whose ids are invalid, keeping the rest of the request; returns how many went.</summary>
    public static int RemoveInvalid(ExportTraceServiceRequest request)
    {
        var removed = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var spans = scopeSpans.Spans;
                for (var i = spans.Count - 1; i >= 0; i--)
                {
                    if (!IsValid(spans[i]))
                    {
                        spans.RemoveAt(i);
                        removed++;
                    }
                }
            }
        }

        return removed;
    }

    public static int CountSpans(ExportTraceServiceRequest request)
    {
        var count = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                count += scopeSpans.Spans.Count;
            }
        }

        return count;
    }

    private static bool IsValidId(ByteString id, int length)
    {
        if (id.Length != length)
        {
            return false;
        }

        return id.Span.ContainsAnyExcept((byte)0);
    }
}
