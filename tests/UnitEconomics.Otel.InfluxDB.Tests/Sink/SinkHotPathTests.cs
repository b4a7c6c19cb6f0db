using System.Net;
using UnitEconomics.Otel.InfluxDB.Sink;
using Xunit;

namespace UnitEconomics.Otel.InfluxDB.Tests.Sink;

public sealed class SinkHotPathTests
{
    [Fact]
    public async Task TryWrite_does_not_allocate_per_event()
    {
        using var handler = new RecordingHandler(_ => HttpStatusCode.ServiceUnavailable);
        var options = new InfluxDbOptions
        {
            Url = new Uri("http://influx.example:8086/"),
            Database = "ue",
            BufferCapacity = 1_000,
            FlushInterval = TimeSpan.FromHours(1),
            MinRetryDelay = TimeSpan.FromSeconds(1),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            ShutdownTimeout = TimeSpan.FromMilliseconds(100),
        };
        await using var sink = new InfluxDbEventSink(options, handler);
        var e = TestEvents.Request(1);
        for (var i = 0; i < 2_000; i++)
        {
            sink.TryWrite(e); // fills the buffer; from here on each write pushes out the oldest
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            sink.TryWrite(e);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // At most the odd wake-up of the sender; nothing proportional to 10,000 events.
        Assert.True(allocated < 1_024, $"{allocated} bytes allocated by 10,000 TryWrite calls");
        Assert.Equal(1_000, sink.BufferDepth);
    }
}
