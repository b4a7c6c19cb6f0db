using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>How one decoded export request ended, independent of the transport that answers it.</summary>
public enum ExportOutcomeKind
{
    Ok,
    PartialSuccess,
    Saturated,
    InternalError,
}

public readonly record struct ExportOutcome(ExportOutcomeKind Kind, ExportTraceServiceResponse Response, TimeSpan RetryAfter);

/// <summary>
/// What both receivers do once a request is decoded: count it, drop spans with malformed ids, offer the
/// rest to the ingest once, and turn the ingest's answer into an OTLP response.
/// </summary>
public sealed class TraceExportHandler
{
    private readonly ITraceIngest ingest;
    private readonly ExporterMetrics metrics;
    private readonly ILogger<TraceExportHandler> logger;
    private readonly TimeSpan defaultRetryAfter;

    public TraceExportHandler(ITraceIngest ingest, ExporterMetrics metrics, IOptions<ExporterOptions> options, ILogger<TraceExportHandler> logger)
    {
        this.ingest = ingest;
        this.metrics = metrics;
        this.logger = logger;
        this.defaultRetryAfter = options.Value.DefaultRetryAfter;
    }

    /// <summary>What the receivers decode of each span's attributes: the keys this reading uses (null: all).</summary>
    public SpanNormalizer? Reader => this.ingest.Reader;

    /// <summary>
    /// Whether a request of <paramref name="encodedBytes"/> (its Content-Length, or gRPC length prefix)
    /// would be queued now; when not, the receiver answers <see cref="RefuseSaturated"/> before reading
    /// and decoding the body. The ingest checks again, exactly, when the request is offered.
    /// </summary>
    public bool HasRoomFor(long encodedBytes) => this.ingest.HasRoomFor(encodedBytes);

    /// <summary>The outcome of a request refused because the ingest is full, counted.</summary>
    public ExportOutcome RefuseSaturated(string protocol)
    {
        this.metrics.Rejected(protocol, ExporterMetrics.ReasonSaturated);
        return new ExportOutcome(ExportOutcomeKind.Saturated, new ExportTraceServiceResponse(), this.defaultRetryAfter);
    }

    /// <summary>Counts a decoded request, offers it to the ingest once, and says how that ended.</summary>
    public ExportOutcome Export(SpanBatch batch, string protocol)
    {
        var (received, invalid) = (batch.Received, batch.Invalid);
        this.metrics.SpansReceived.WithLabels(protocol).Inc(received);
        if (invalid > 0)
        {
            this.metrics.SpansRejected.WithLabels(ExporterMetrics.SpanReasonInvalidId).Inc(invalid);
        }

        IngestStatus status;
        try
        {
            status = this.ingest.Offer(batch);
        }
        catch (Exception e)
        {
            // A fault in the ingest must not take the receiver down; the sender is told it was not
            // retryable so a poison request is not sent again and again.
            this.logger.LogError(e, "The trace ingest failed on a request of {SpanCount} spans.", received - invalid);
            this.metrics.Rejected(protocol, ExporterMetrics.ReasonInternal);
            return new ExportOutcome(ExportOutcomeKind.InternalError, new ExportTraceServiceResponse(), TimeSpan.Zero);
        }

        if (status == IngestStatus.Saturated)
        {
            return this.RefuseSaturated(protocol);
        }

        if (invalid == 0)
        {
            this.metrics.Requests.WithLabels(protocol, ExporterMetrics.OutcomeOk).Inc();
            return new ExportOutcome(ExportOutcomeKind.Ok, new ExportTraceServiceResponse(), TimeSpan.Zero);
        }

        this.metrics.Requests.WithLabels(protocol, ExporterMetrics.OutcomePartial).Inc();
        var message = $"{invalid} span(s) rejected: trace_id must be 16 bytes, span_id 8 bytes (not all zero), parent_span_id empty or 8 bytes";
        var response = new ExportTraceServiceResponse
        {
            PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = invalid, ErrorMessage = message },
        };
        return new ExportOutcome(ExportOutcomeKind.PartialSuccess, response, TimeSpan.Zero);
    }
}
