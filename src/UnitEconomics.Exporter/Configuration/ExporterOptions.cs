using UnitEconomics.Otel.InfluxDB.Sink;

namespace UnitEconomics.Exporter.Configuration;

/// <summary>
/// The service's settings, bound from the "Exporter" configuration section (appsettings.json,
/// environment variables <c>Exporter__Name</c>, command line <c>--Exporter:Name=value</c>). What the
/// engine prices with (catalogs, tenant file, span keys, budgets) is the engine's own "UnitEconomics"
/// section, the same one an in-process app binds.
/// </summary>
public sealed class ExporterOptions
{
    public const string SectionName = "Exporter";

    /// <summary>Address every port listens on; 0.0.0.0 in a container, 127.0.0.1 in tests.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>OTLP/gRPC (HTTP/2).</summary>
    public int OtlpGrpcPort { get; set; } = 4317;

    /// <summary>OTLP/HTTP: POST /v1/traces.</summary>
    public int OtlpHttpPort { get; set; } = 4318;

    /// <summary>/metrics (Prometheus), /healthz, /readyz.</summary>
    public int MetricsPort { get; set; } = 9464;

    /// <summary>
    /// Serve the two OTLP ports over TLS with Kestrel's default certificate
    /// (configured the standard way, e.g. <c>Kestrel:Certificates:Default:Path</c>).
    /// </summary>
    public bool OtlpUseTls { get; set; }

    /// <summary>Largest OTLP/HTTP body as sent (compressed or not); larger is 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>Largest OTLP/HTTP body after gzip decompression; larger is 413.</summary>
    public long MaxDecompressedBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest gRPC message, after decompression; larger is RESOURCE_EXHAUSTED.</summary>
    public int MaxGrpcReceiveMessageBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>When set, OTLP senders must send <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? OtlpBearerToken { get; set; }

    /// <summary>When set, scrapers of /metrics must send <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? MetricsBearerToken { get; set; }

    /// <summary>Back-off advertised when the ingest is saturated and gives none of its own.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How received spans are queued and assembled into traces before the engine sees them.</summary>
    public IngestOptions Ingest { get; set; } = new();

    /// <summary>
    /// The per-request event log: <c>Exporter:Influx:Url</c>, <c>Version</c> (V1 or V2), <c>Database</c>,
    /// <c>Org</c>, <c>Bucket</c>, <c>Token</c>, ... No <c>Url</c>, no InfluxDB sink.
    /// </summary>
    public InfluxDbOptions Influx { get; set; } = new();
}
