using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.InfluxDB.Sink;

namespace UnitEconomics.Exporter.Ingest;

/// <summary>
/// Runs the <see cref="EngineTraceIngest"/> for the host's lifetime: starts its workers, feeds the
/// ingest's and the InfluxDB sink's state to the self-metrics at scrape time, and at shutdown drains
/// everything accepted into the engine and the sinks. (Agent tasks and user requests whose end never
/// comes are closed by the engine itself, see <see cref="CostEngine.CloseIdleTasks"/>.)
/// Does nothing when another <see cref="ITraceIngest"/> is registered.
/// </summary>
public sealed class EngineIngestService : IHostedService
{
    private readonly EngineTraceIngest? ingest;
    private readonly InfluxDbEventSink? influx;
    private readonly ExporterMetrics metrics;
    private readonly ILogger<EngineIngestService> logger;

    public EngineIngestService(IServiceProvider services, ExporterMetrics metrics, IHostApplicationLifetime lifetime, ILogger<EngineIngestService> logger)
    {
        this.ingest = services.GetRequiredService<ITraceIngest>() as EngineTraceIngest;
        if (this.ingest is not null)
        {
            lifetime.ApplicationStopping.Register(this.ingest.BeginShutdown);
        }

        this.influx = this.ingest is null ? null : services.GetService<InfluxDbEventSink>();
        this.metrics = metrics;
        this.logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (this.ingest is null)
        {
            return Task.CompletedTask;
        }

        this.metrics.Registry.AddBeforeCollectCallback(this.UpdateMetrics);
        this.ingest.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (this.ingest is null)
        {
            return;
        }

        // The receivers have stopped (the server stops before the other hosted services); what was
        // accepted is in the queue or buffered. All of it goes through the engine, then every task
        // still open is closed, then the events reach InfluxDB.
        try
        {
            await this.ingest.StopAsync(cancellationToken).ConfigureAwait(false);
            var closed = this.ingest.Engine.CloseIdleTasks(DateTime.MaxValue);
            if (closed > 0)
            {
                this.logger.LogInformation("Closed {Count} agent task(s) whose root never arrived, at shutdown.", closed);
            }

            if (this.influx is not null)
            {
                await this.influx.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            this.logger.LogWarning("Shutdown timed out before every accepted span and event was written.");
        }
    }

    private void UpdateMetrics()
    {
        var ingest = this.ingest!;
        this.metrics.QueueDepth.Set(ingest.QueueDepth);
        this.metrics.QueueBytes.Set(ingest.QueuedBytes);
        this.metrics.TracesInFlight.Set(ingest.TracesInFlight);
        this.metrics.TracesProcessedEarly.IncTo(ingest.TracesProcessedEarly);
        this.metrics.TracesProcessedIdle.IncTo(ingest.TracesProcessedIdle);
        this.metrics.OpenAgentTasks.Set(ingest.Engine.OpenTasks);
        if (this.influx is not null)
        {
            var stats = this.influx.GetStats();
            this.metrics.InfluxPointsWritten.IncTo(stats.PointsWritten);
            this.metrics.InfluxPointsFailed.IncTo(stats.PointsFailed);
            this.metrics.InfluxPointsDropped.IncTo(stats.PointsDropped);
            this.metrics.InfluxBufferDepth.Set(stats.BufferDepth);
        }
    }
}
