using OpenTelemetry.Proto.Collector.Trace.V1;

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
/// Where decoded and validated OTLP trace requests go. The receivers call <see cref="Offer"/> once per
/// request, after limits and span ids were checked (spans with malformed ids are already removed).
/// The engine-backed implementation replaces the default registration in DI.
/// </summary>
public interface ITraceIngest
{
    /// <summary>
    /// Takes the request. Called on the request thread, so it should hand work off rather than do it;
    /// the request object is not used by the receiver afterwards and may be kept.
    /// </summary>
    IngestResult Offer(ExportTraceServiceRequest request);
}

/// <summary>
/// An ingest that takes spans already in the service's own form: the OTLP/HTTP protobuf receiver then
/// decodes straight into it (<see cref="Otlp.OtlpProtobufReader"/>) instead of building the generated
/// message objects first. The batch holds only valid spans; the receiver counted the rest.
/// </summary>
public interface ISpanBatchIngest : ITraceIngest
{
    /// <summary>The span attributes worth decoding for this ingest; null keeps them all.</summary>
    Otlp.AttributeFilter? AttributeFilter { get; }

    /// <summary>Takes the batch; called on the request thread, like <see cref="ITraceIngest.Offer"/>.</summary>
    IngestResult Offer(Otlp.SpanBatch batch);
}

/// <summary>Optional: an ingest (or any registered service) that says whether it is ready for traffic (/readyz).</summary>
public interface IReadiness
{
    bool IsReady { get; }
}

/// <summary>
/// Optional: an ingest that can say, from a request's size alone, whether it would be refused as
/// saturated. The receivers ask before reading and decoding the body, so a saturated service spends
/// nothing on a request it will refuse anyway.
/// </summary>
public interface IIngestAdmission
{
    /// <summary>False when a request of <paramref name="encodedBytes"/> would not fit in the queue now.</summary>
    bool HasRoomFor(long encodedBytes);
}
