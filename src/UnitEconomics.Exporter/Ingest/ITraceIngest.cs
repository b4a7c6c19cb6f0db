using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Ingest;

/// <summary>What the ingest did with one export request.</summary>
public enum IngestStatus
{
    /// <summary>Taken (possibly with some spans rejected, see <see cref="IngestResult.RejectedSpans"/>).</summary>
    Accepted,

    /// <summary>Not taken because the ingest is over capacity; the sender should retry later.</summary>
    Saturated,
}

/// <summary>
/// The ingest's answer to one request. <paramref name="RejectedSpans"/> and <paramref name="ErrorMessage"/>
/// become the OTLP partial success; <paramref name="RetryAfter"/> is the back-off advertised when saturated.
/// </summary>
public readonly record struct IngestResult(IngestStatus Status, long RejectedSpans, string? ErrorMessage, TimeSpan RetryAfter)
{
    public static IngestResult Accepted() => new(IngestStatus.Accepted, 0, null, TimeSpan.Zero);

    public static IngestResult Saturated(TimeSpan retryAfter) => new(IngestStatus.Saturated, 0, null, retryAfter);
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
    IngestResult Offer(SpanBatch batch);

    /// <summary>
    /// Whether a request of <paramref name="encodedBytes"/> would be taken now: the receivers ask before
    /// reading and decoding the body, so a saturated service spends nothing on a request it would refuse.
    /// </summary>
    bool HasRoomFor(long encodedBytes) => true;

    /// <summary>Whether the service is ready for traffic (/readyz): false before it runs and once shutdown begins.</summary>
    bool IsReady => true;
}
