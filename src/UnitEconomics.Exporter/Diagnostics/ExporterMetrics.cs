using Prometheus;

namespace UnitEconomics.Exporter.Diagnostics;

/// <summary>
/// The service's own counters (<c>ai_exporter_*</c>). One instance per registry: the host registers it
/// as a singleton over prometheus-net's default registry; tests give it a fresh registry to read exact values.
/// </summary>
public sealed class ExporterMetrics
{
    public const string ProtocolGrpc = "grpc";
    public const string ProtocolHttpProtobuf = "http_protobuf";
    public const string ProtocolHttpJson = "http_json";

    /// <summary>An OTLP/HTTP request whose content type is not OTLP.</summary>
    public const string ProtocolHttpUnknown = "http_unknown";

    public const string OutcomeOk = "ok";
    public const string OutcomePartial = "partial_success";
    public const string OutcomeRejected = "rejected";

    public const string ReasonMalformed = "malformed";
    public const string ReasonTooLarge = "too_large";
    public const string ReasonUnauthorized = "unauthorized";
    public const string ReasonUnsupportedMediaType = "unsupported_media_type";
    public const string ReasonSaturated = "saturated";

    /// <summary>A request the ingest threw on (a bug; answered as an internal error, never retried).</summary>
    public const string ReasonInternal = "internal";

    /// <summary>Span rejected by the receiver because its trace or span id is malformed.</summary>
    public const string SpanReasonInvalidId = "invalid_id";

    public ExporterMetrics(CollectorRegistry registry)
    {
        this.Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        this.SpansReceived = factory.CreateCounter("ai_exporter_spans_received_total", "Spans decoded from OTLP requests, by protocol.", ["protocol"]);
        this.SpansRejected = factory.CreateCounter("ai_exporter_spans_rejected_total", "Spans rejected (reported to the sender as partial success), by reason.", ["reason"]);
        this.Requests = factory.CreateCounter("ai_exporter_requests_total", "OTLP export requests, by protocol and outcome (ok, partial_success, rejected).", ["protocol", "outcome"]);
        this.RequestsRejected = factory.CreateCounter("ai_exporter_requests_rejected_total", "OTLP export requests refused as a whole, by reason.", ["reason"]);
        this.QueueDepth = factory.CreateGauge("ai_exporter_queue_depth", "Export requests accepted and waiting for a worker.");
        this.QueueBytes = factory.CreateGauge("ai_exporter_queue_bytes", "Encoded bytes of the export requests accepted and waiting for a worker (bounded by Exporter:Ingest:QueueCapacityBytes).");
        this.TracesInFlight = factory.CreateGauge("ai_exporter_traces_in_flight", "Traces buffered, waiting for their root or the settle delay.");
        this.TracesProcessedEarly = factory.CreateCounter(
            "ai_exporter_traces_processed_early_total",
            "Traces processed before their root arrived because the bound on traces in flight was reached.");
        this.TracesProcessedIdle = factory.CreateCounter(
            "ai_exporter_traces_processed_idle_total",
            "Traces processed at the idle timeout, their root never having arrived.");
        this.OpenAgentTasks = factory.CreateGauge("ai_exporter_open_agent_tasks", "Agent tasks the engine holds open, waiting for their root span.");
        this.InfluxPointsWritten = factory.CreateCounter("ai_exporter_influxdb_points_written_total", "Events written to InfluxDB.");
        this.InfluxPointsFailed = factory.CreateCounter("ai_exporter_influxdb_points_failed_total", "Events InfluxDB refused (their batch was rejected).");
        this.InfluxPointsDropped = factory.CreateCounter(
            "ai_exporter_influxdb_points_dropped_total",
            "Events dropped: pushed out of a full buffer while InfluxDB was unreachable, or pending at shutdown.");
        this.InfluxBufferDepth = factory.CreateGauge("ai_exporter_influxdb_buffer_depth", "Events waiting to be written to InfluxDB.");
        this.GcPauseSeconds = factory.CreateCounter(
            "ai_exporter_gc_pause_seconds_total",
            "Time the process has spent with its threads paused by the garbage collector (GC.GetTotalPauseDuration), read at each scrape.");
        this.AllocatedBytes = factory.CreateCounter(
            "ai_exporter_allocated_bytes_total",
            "Bytes the process has allocated on the managed heap (GC.GetTotalAllocatedBytes), read at each scrape.");
        registry.AddBeforeCollectCallback(this.ReadRuntime);
    }

    public CollectorRegistry Registry { get; }

    public Counter SpansReceived { get; }

    public Counter SpansRejected { get; }

    public Counter Requests { get; }

    public Counter RequestsRejected { get; }

    public Gauge QueueDepth { get; }

    public Gauge QueueBytes { get; }

    public Gauge TracesInFlight { get; }

    public Counter TracesProcessedEarly { get; }

    public Counter TracesProcessedIdle { get; }

    public Gauge OpenAgentTasks { get; }

    public Counter InfluxPointsWritten { get; }

    public Counter InfluxPointsFailed { get; }

    public Counter InfluxPointsDropped { get; }

    public Gauge InfluxBufferDepth { get; }

    public Counter GcPauseSeconds { get; }

    public Counter AllocatedBytes { get; }

    /// <summary>Brings the runtime's process-wide totals up to date; both only grow, so the counters are raised to them.</summary>
    internal void ReadRuntime()
    {
        this.GcPauseSeconds.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
        this.AllocatedBytes.IncTo(GC.GetTotalAllocatedBytes(precise: false));
    }

    public void Rejected(string protocol, string reason)
    {
        this.Requests.WithLabels(protocol, OutcomeRejected).Inc();
        this.RequestsRejected.WithLabels(reason).Inc();
    }
}
