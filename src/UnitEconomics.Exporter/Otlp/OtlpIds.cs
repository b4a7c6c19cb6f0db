namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// OTLP's rules for span ids, checked before anything reads them: a trace id is 16 bytes, a span id 8,
/// neither all zero (OTLP calls those invalid); a parent span id is empty (a root) or 8 bytes. A span
/// that breaks them is counted (invalid_id) and left out; the rest of its request is kept.
/// </summary>
public static class OtlpIds
{
    public const int TraceIdLength = 16;
    public const int SpanIdLength = 8;

    public static bool AreValid(ReadOnlySpan<byte> traceId, ReadOnlySpan<byte> spanId, ReadOnlySpan<byte> parentSpanId) =>
        traceId.Length == TraceIdLength && traceId.ContainsAnyExcept((byte)0)
        && spanId.Length == SpanIdLength && spanId.ContainsAnyExcept((byte)0)
        && (parentSpanId.Length == 0 || parentSpanId.Length == SpanIdLength);
}
