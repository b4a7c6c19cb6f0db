using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace UnitEconomics.Exporter.Ingest;

/// <summary>
/// The ingest registered when nothing else is: accepts and drops every request, so the service starts
/// and answers OTLP senders before the cost engine is wired in. Says so once in the log.
/// </summary>
public sealed class DiscardingTraceIngest : ITraceIngest
{
    private readonly ILogger<DiscardingTraceIngest> logger;
    private int warned;

    public DiscardingTraceIngest(ILogger<DiscardingTraceIngest> logger)
    {
        this.logger = logger;
    }

    public IngestResult Offer(ExportTraceServiceRequest request)
    {
        if (Interlocked.Exchange(ref this.warned, 1) == 0)
        {
            this.logger.LogWarning("No trace ingest is registered: received spans are discarded.");
        }

        return IngestResult.Accepted();
    }
}
