using System.Net;
using UnitEconomics.Otel.InfluxDB.Sink;
using Xunit;

namespace UnitEconomics.Otel.InfluxDB.Tests.Sink;

public sealed class SinkInFlightEvictionTests
{
    /// <summary>
    /// Events pushed out of the buffer while their batch is on the wire: written if that request
    /// succeeds, dropped if it fails. Either way each event is counted exactly once.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Events_evicted_while_in_flight_are_counted_by_the_fate_of_their_request(bool firstSucceeds)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = new GatedHandler(entered, release.Task, firstSucceeds ? HttpStatusCode.NoContent : HttpStatusCode.ServiceUnavailable);
        var options = new InfluxDbOptions
        {
            Url = new Uri("http://influx.example:8086/"),
            Database = "ue",
            BatchSize = 10,
            BufferCapacity = 10,
            FlushInterval = TimeSpan.FromHours(1),
            MinRetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromMilliseconds(10),
        };
        await using var sink = new InfluxDbEventSink(options, handler);
        for (var i = 0; i < 10; i++)
        {
            sink.TryWrite(TestEvents.Request(i)); // the 10th fills a batch: events 0..9 go on the wire
        }

        await entered.Task.WaitAsync(Poll.Timeout);
        for (var i = 10; i < 14; i++)
        {
            sink.TryWrite(TestEvents.Request(i)); // pushes out 0..3, which are in the request
        }

        Assert.Equal(0, sink.PointsDropped); // not yet known: their request has not answered
        release.SetResult();
        using (var cts = new CancellationTokenSource(Poll.Timeout))
        {
            await sink.FlushAsync(cts.Token);
        }

        var expectedIds = firstSucceeds ? Enumerable.Range(0, 14) : Enumerable.Range(4, 10);
        Assert.Equal(
            firstSucceeds ? new InfluxDbSinkStats(14, 0, 0, 0) : new InfluxDbSinkStats(10, 0, 4, 0),
            sink.GetStats());
        var ids = handler.AcceptedBodies.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => int.Parse(l.Split("request_id=\"req-")[1].Split('"')[0]));
        Assert.Equal(expectedIds, ids);
    }

    private sealed class GatedHandler(TaskCompletionSource entered, Task release, HttpStatusCode first) : HttpMessageHandler
    {
        private readonly System.Text.StringBuilder accepted = new();
        private int calls;

        public string AcceptedBodies
        {
            get
            {
                lock (this.accepted)
                {
                    return this.accepted.ToString();
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var gzip = new System.IO.Compression.GZipStream(await request.Content!.ReadAsStreamAsync(cancellationToken), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            var body = await reader.ReadToEndAsync(cancellationToken);
            var status = HttpStatusCode.NoContent;
            if (Interlocked.Increment(ref this.calls) == 1)
            {
                entered.SetResult();
                await release;
                status = first;
            }

            if (status == HttpStatusCode.NoContent)
            {
                lock (this.accepted)
                {
                    this.accepted.Append(body);
                }
            }

            return new HttpResponseMessage(status);
        }
    }
}
