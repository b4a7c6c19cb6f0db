using Prometheus;
using UnitEconomics.Exporter.Diagnostics;

namespace UnitEconomics.Exporter.Tests;

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
}
