namespace UnitEconomics.Exporter.Configuration;

/// <summary>
/// The queue between the receivers and the engine, and the per-trace buffer in front of it
/// (section <c>Exporter:Ingest</c>).
/// </summary>
public sealed class IngestOptions
{
    /// <summary>Export requests queued before senders are told to retry (503 / UNAVAILABLE).</summary>
    public int QueueCapacity { get; set; } = 64;

    /// <summary>
    /// Bytes of requests (as encoded: protobuf size) queued before senders are told to retry. What a
    /// queued request weighs, so one 100,000-span request counts for what it is, not as one request.
    /// A request larger than this on its own is taken when the queue is empty.
    /// </summary>
    public long QueueCapacityBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Workers assembling traces; a trace is always on one worker (by trace id). 0: one per core, at most 4.</summary>
    public int Workers { get; set; }

    /// <summary>How long a trace waits after its root arrived for stragglers sent in other requests.</summary>
    public TimeSpan RootSettleDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A trace whose root never arrives is processed after this long without a new span.</summary>
    public TimeSpan TraceIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Traces buffered at once (over all workers); past it the least recently active is processed early.</summary>
    public int MaxTracesInFlight { get; set; } = 50_000;

    /// <summary>How often workers look for traces that are due when no request arrives.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    internal int EffectiveWorkers => this.Workers > 0 ? this.Workers : Math.Clamp(Environment.ProcessorCount, 1, 4);
}
