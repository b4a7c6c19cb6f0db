using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Ingest;

/// <summary>
/// What the ingest did with one export request. Spans the engine rejects are counted when their batch
/// is read, after the answer; the answer's partial success is the receivers' own (malformed ids).
/// </summary>
public enum IngestStatus
{
    /// <summary>Taken: every valid span of it will be read.</summary>
    Accepted,

    /// <summary>Not taken because the ingest is over capacity; the sender retries after <c>Exporter:DefaultRetryAfter</c>.</summary>
    Saturated,
}

/// <summary>
/// Where decoded OTLP trace requests go. The receivers decode each request into a <see cref="SpanBatch"/>
/// (spans with malformed ids already counted and left out) and offer it once. The engine-backed
/// implementation is the service's; tests register their own.
/// </summary>
public interface ITraceIngest
{
    /// <summary>
    /// The reading the ingest applies (its attribute keys are the ones worth decoding: the receivers skip
    /// the others undecoded); null keeps every attribute.
    /// </summary>
    SpanNormalizer? Reader { get; }

    /// <summary>
    /// Takes the batch. Called on the request thread, so it should hand work off rather than do it; the
    /// receiver does not use the batch afterwards.
    /// </summary>
    IngestStatus Offer(SpanBatch batch);

    /// <summary>
    /// Whether a request of <paramref name="encodedBytes"/> would be taken now: the receivers ask before
    /// reading and decoding the body, so a saturated service spends nothing on a request it would refuse.
    /// </summary>
    bool HasRoomFor(long encodedBytes) => true;

    /// <summary>Whether the service is ready for traffic (/readyz): false before it runs and once shutdown begins.</summary>
    bool IsReady => true;
}
