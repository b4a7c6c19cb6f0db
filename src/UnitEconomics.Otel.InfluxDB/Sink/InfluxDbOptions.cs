namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>Which write API the server speaks.</summary>
public enum InfluxDbVersion
{
    /// <summary>InfluxDB 1.x: <c>/write?db=&amp;rp=&amp;precision=ns</c>, optional basic auth.</summary>
    V1,

    /// <summary>InfluxDB 2.x and 3.x: <c>/api/v2/write?org=&amp;bucket=&amp;precision=ns</c>, token auth.</summary>
    V2,
}

/// <summary>Where and how <see cref="InfluxDbEventSink"/> writes.</summary>
public sealed class InfluxDbOptions
{
    /// <summary>The server's base address, e.g. <c>http://localhost:8086</c> (a path prefix is kept).</summary>
    public Uri? Url { get; set; }

    public InfluxDbVersion Version { get; set; } = InfluxDbVersion.V1;

    /// <summary>1.x: the database written to.</summary>
    public string? Database { get; set; }

    /// <summary>1.x: the retention policy; the database's default when null.</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>1.x: basic-auth user, when the server has auth enabled.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>2.x/3.x: organization name (3.x ignores it; may be null there).</summary>
    public string? Org { get; set; }

    /// <summary>2.x/3.x: the bucket (3.x: the database).</summary>
    public string? Bucket { get; set; }

    /// <summary>2.x/3.x: API token, sent as <c>Authorization: Token …</c>.</summary>
    public string? Token { get; set; }

    /// <summary>Most points in one request.</summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>How long a partial batch waits before it is sent anyway.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events held while the server is slow or down; past it the oldest are dropped (and counted).</summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Compress request bodies (<c>Content-Encoding: gzip</c>).</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>First wait after a failed write; doubled on each further failure, with jitter.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between retries of a failed write.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest time one write request may take before it counts as failed and is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="InfluxDbEventSink.DisposeAsync"/> keeps trying to write what is pending.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (this.Url is null || !this.Url.IsAbsoluteUri)
        {
            throw new ArgumentException("InfluxDB Url must be an absolute URI.", nameof(this.Url));
        }

        if (this.Version == InfluxDbVersion.V1 && string.IsNullOrEmpty(this.Database))
        {
            throw new ArgumentException("InfluxDB 1.x needs a Database.", nameof(this.Database));
        }

        if (this.Version == InfluxDbVersion.V2 && string.IsNullOrEmpty(this.Bucket))
        {
            throw new ArgumentException("InfluxDB 2.x/3.x needs a Bucket.", nameof(this.Bucket));
        }

        if (this.BatchSize <= 0 || this.BufferCapacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(this.BatchSize), "BatchSize and BufferCapacity must be positive.");
        }

        if (this.FlushInterval <= TimeSpan.Zero || this.MinRetryDelay <= TimeSpan.Zero || this.MaxRetryDelay < this.MinRetryDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(this.FlushInterval), "FlushInterval and retry delays must be positive, MaxRetryDelay >= MinRetryDelay.");
        }
    }
}
