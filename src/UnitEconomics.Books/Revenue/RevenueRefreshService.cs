using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace UnitEconomics.Books.Revenue;

/// <summary>
/// Runs the revenue refresher when the tenant file names a billing source, and says how it goes on
/// /metrics: <c>ai_revenue_refresh_failures_total{source}</c> counts failed reads (the last good figures
/// stay in use), <c>ai_revenue_last_refresh_timestamp_seconds{source}</c> is the time of the last good one.
/// </summary>
internal sealed class RevenueRefreshService(RevenueRefresher refresher, CollectorRegistry registry, ILogger<RevenueRefreshService> logger) : BackgroundService
{
    private readonly Counter failures = Metrics.WithCustomRegistry(registry).CreateCounter(
        "ai_revenue_refresh_failures_total",
        "Reads of the billing source (revenue section of the tenant file) that failed; the last good revenue figures stay in use.",
        new CounterConfiguration { LabelNames = ["source"] });

    private readonly Gauge lastRefresh = Metrics.WithCustomRegistry(registry).CreateGauge(
        "ai_revenue_last_refresh_timestamp_seconds",
        "Unix time of the last good read of the billing source: the freshness of ai_tenant_revenue_usd_per_month.",
        new GaugeConfiguration { LabelNames = ["source"] });

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!refresher.IsConfigured)
        {
            return Task.CompletedTask;
        }

        // Published at 0 from the start, so a rule can alert on increase() from the first failure.
        this.failures.WithLabels(refresher.SourceName);
        refresher.Refreshed += snapshot =>
        {
            this.lastRefresh.WithLabels(snapshot.Source).Set(snapshot.ReadAt.ToUnixTimeMilliseconds() / 1000d);
            logger.LogInformation("Revenue read from {Source}: {Count} tenants, margin figure {Figure}.", snapshot.Source, snapshot.Tenants.Count, snapshot.FigureSource);
        };
        refresher.RefreshFailed += (source, error) =>
        {
            this.failures.WithLabels(source).Inc();
            logger.LogError("Revenue not refreshed, the last figures stay in use: {Error}", error);
        };
        return Task.Run(() => refresher.RunAsync(stoppingToken), stoppingToken);
    }
}
