using Prometheus;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Hosting;

namespace UnitEconomics.Exporter.Tests.Diagnostics;

/// <summary>The runtime figures the service reports about itself, read when /metrics is scraped.</summary>
public sealed class ExporterMetricsTests
{
    [Fact]
    public async Task A_scrape_reports_the_process_gc_pause_and_allocation_totals()
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new ExporterMetrics(registry);
        Assert.Equal(0, metrics.AllocatedBytes.Value);
        Assert.Equal(0, metrics.GcPauseSeconds.Value);

        var allocatedBefore = GC.GetTotalAllocatedBytes();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        var pausedBefore = GC.GetTotalPauseDuration().TotalSeconds;

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());

        Assert.Contains("ai_exporter_gc_pause_seconds_total ", text, StringComparison.Ordinal);
        Assert.Contains("ai_exporter_allocated_bytes_total ", text, StringComparison.Ordinal);
        Assert.InRange(metrics.AllocatedBytes.Value, allocatedBefore, double.MaxValue);
        Assert.InRange(metrics.GcPauseSeconds.Value, pausedBefore, double.MaxValue);
        Assert.True(metrics.GcPauseSeconds.Value > 0); // a blocking collection ran above

        // Both are totals: a later scrape never reports less.
        var allocated = metrics.AllocatedBytes.Value;
        metrics.ReadRuntime();
        Assert.InRange(metrics.AllocatedBytes.Value, allocated, double.MaxValue);
    }

    [Fact]
    public void Metrics_republishes_every_dotnet_meter_but_kestrels_memory_pool()
    {
        using var pool = new System.Diagnostics.Metrics.Meter("Microsoft.AspNetCore.MemoryPool");
        using var hosting = new System.Diagnostics.Metrics.Meter("Microsoft.AspNetCore.Hosting");
        using var similar = new System.Diagnostics.Metrics.Meter("Microsoft.AspNetCore.MemoryPoolExtra");
        Assert.False(ExporterHost.PublishesMeter(pool.CreateCounter<long>("aspnetcore.memory_pool.rented")));
        Assert.True(ExporterHost.PublishesMeter(hosting.CreateCounter<long>("http.server.active_requests")));
        Assert.True(ExporterHost.PublishesMeter(similar.CreateCounter<long>("x")));
    }
}
