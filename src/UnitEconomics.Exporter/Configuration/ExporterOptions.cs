namespace UnitEconomics.Exporter.Configuration;

/// <summary>
/// The service's settings, bound from the "Exporter" configuration section (appsettings.json,
/// environment variables <c>Exporter__Name</c>, command line <c>--Exporter:Name=value</c>).
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

    /// <summary>Price catalog files, later ones overriding earlier ones (read by the cost engine).</summary>
    public string[] PriceCatalogs { get; set; } = [];

    /// <summary>Tenant directory file (read by the cost engine).</summary>
    public string? TenantFile { get; set; }

    public InfluxOptions Influx { get; set; } = new();
}

/// <summary>Where the per-request event log is written (filled in by the InfluxDB sink).</summary>
public sealed class InfluxOptions
{
    /// <summary>Base URL of the InfluxDB server; empty disables the sink.</summary>
    public string? Url { get; set; }

    /// <summary>InfluxDB 1.x database.</summary>
    public string? Database { get; set; }

    /// <summary>InfluxDB 2.x/3.x organization and bucket.</summary>
    public string? Organization { get; set; }

    public string? Bucket { get; set; }

    public string? Token { get; set; }
}
