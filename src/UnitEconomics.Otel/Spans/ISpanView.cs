using System.Diagnostics;

namespace UnitEconomics.Otel.Spans;

/// <summary>Receives a span's attributes one at a time, so no collection is built to read them.</summary>
public interface IAttributeVisitor
{
    void Visit(string key, in AttributeValue value);
}

/// <summary>
/// The small read-only view of a finished span that the engine needs. An <see cref="Activity"/>
/// (in-process) and a decoded OTLP span (the exporter service) both provide it, so everything from
/// here on — normalization, pricing, attribution, rollups — is written once.
/// Implementations are structs so generic callers read them without boxing.
/// </summary>
public interface ISpanView
{
    string Name { get; }

    ActivityTraceId TraceId { get; }

    ActivitySpanId SpanId { get; }


    DateTime StartTimeUtc { get; }

    DateTime EndTimeUtc { get; }

    /// <summary>Span status is Error.</summary>
    bool IsError { get; }

    void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor;

    /// <summary>W3C baggage in scope of the span; null when the span has none (OTLP spans carry none).</summary>
    string? GetBaggage(string key);

    /// <summary>Reads an attribute of the resource that produced the span.</summary>
    bool TryGetResourceAttribute(string key, out AttributeValue value);
}
