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

    public ExporterMetrics()
        : this(Metrics.DefaultRegistry)
    {
    }

    public ExporterMetrics(CollectorRegistry registry)
    {
        this.Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        this.SpansReceived = factory.CreateCounter(
            "ai_exporter_spans_received_total",
            "Spans decoded from OTLP requests, by protocol.",
            new CounterConfiguration { LabelNames = ["protocol"] });
        this.SpansRejected = factory.CreateCounter(
            "ai_exporter_spans_rejected_total",
            "Spans rejected (reported to the sender as partial success), by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
        this.Requests = factory.CreateCounter(
            "ai_exporter_requests_total",
            "OTLP export requests, by protocol and outcome (ok, partial_success, rejected).",
            new CounterConfiguration { LabelNames = ["protocol", "outcome"] });
        this.RequestsRejected = factory.CreateCounter(
            "ai_exporter_requests_rejected_total",
            "OTLP export requests refused as a whole, by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
    }

    public CollectorRegistry Registry { get; }

    public Counter SpansReceived { get; }

    public Counter SpansRejected { get; }

    public Counter Requests { get; }

    public Counter RequestsRejected { get; }

    public void Rejected(string protocol, string reason)
    {
        this.Requests.WithLabels(protocol, OutcomeRejected).Inc();
        this.RequestsRejected.WithLabels(reason).Inc();
    }
}
