using System.Net;
using UnitEconomics.Otel.InfluxDB.Events;
using UnitEconomics.Otel.InfluxDB.Sink;
using Xunit;

namespace UnitEconomics.Otel.InfluxDB.Tests.Sink;

/// <summary>The request shape and the retry/drop rules, against a recording handler.</summary>
public sealed class SinkProtocolTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private static InfluxDbOptions V1(int batch = 100, int capacity = 1000) => new()
    {
        Url = new Uri("http://influx.example:8086/"),
        Database = "ue",
        BatchSize = batch,
        BufferCapacity = capacity,
        FlushInterval = TimeSpan.FromHours(1), // only FlushAsync / a full batch sends
        MinRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
    };

    private static async Task FlushAsync(InfluxDbEventSink sink)
    {
        using var cts = new CancellationTokenSource(Generous);
        await sink.FlushAsync(cts.Token);
    }

    [Fact]
    public async Task V2_request_has_api_v2_url_token_and_gzip_body()
    {
        using var handler = new RecordingHandler();
        var options = new InfluxDbOptions
        {
            Url = new Uri("https://influx.example:8086/prefix/"),
            Version = InfluxDbVersion.V2,
            Org = "acme corp",
            Bucket = "ai/events",
            Token = "s3cr3t==",
            FlushInterval = TimeSpan.FromHours(1),
        };
        await using (var sink = new InfluxDbEventSink(options, handler))
        {
            Assert.True(sink.TryWrite(TestEvents.Request(1, cost: 0.5)));
            Assert.True(sink.TryWrite(new AgentTaskEvent(TestEvents.T0, "acme", "pro", "planner", "support", "ok", 2, 1, 0, 900, 0.25, 1500, "t-1")));
            await FlushAsync(sink);
            Assert.Equal(2, sink.PointsWritten);
        }

        var r = Assert.Single(handler.Requests);
        Assert.Equal("POST", r.Method);
        Assert.Equal("https://influx.example:8086/prefix/api/v2/write?org=acme%20corp&bucket=ai%2Fevents&precision=ns", r.Uri);
        Assert.Equal("Token s3cr3t==", r.Authorization);
        Assert.Equal("gzip", r.ContentEncoding);
        Assert.Equal("text/plain; charset=utf-8", r.ContentType);
        Assert.Equal(
            "ai_request,cache=miss,model=gpt-4o,operation=chat,provider=openai,tenant=acme,tier=pro,use_case=support "
            + "input_tokens=1i,cache_read_tokens=0i,cache_write_tokens=0i,output_tokens=10i,reasoning_tokens=0i,cost_usd=0.5,latency_ms=100,"
            + "request_id=\"req-1\",trace_id=\"trace-1\",cost_source=\"estimated\" 1736935200001000000\n"
            + "ai_agent_task,agent=planner,outcome=ok,tenant=acme,tier=pro,use_case=support "
            + "model_calls=2i,tool_calls=1i,failed_calls=0i,tokens=900i,cost_usd=0.25,duration_ms=1500,trace_id=\"t-1\" 1736935200000000000\n",
            r.Body);
    }

    [Fact]
    public async Task V1_request_has_write_url_with_rp_and_basic_auth_and_plain_body_when_gzip_off()
    {
        using var handler = new RecordingHandler();
        var options = V1();
        options.RetentionPolicy = "thirty days";
        options.Username = "user";
        options.Password = "p@ss";
        options.Gzip = false;
        await using (var sink = new InfluxDbEventSink(options, handler))
        {
            sink.TryWrite(TestEvents.Request(0));
            await FlushAsync(sink);
        }

        var r = Assert.Single(handler.Requests);
        Assert.Equal("http://influx.example:8086/write?db=ue&rp=thirty%20days&precision=ns", r.Uri);
        Assert.Equal("Basic dXNlcjpwQHNz", r.Authorization); // base64("user:p@ss")
        Assert.Equal(string.Empty, r.ContentEncoding);
        Assert.StartsWith("ai_request,cache=miss,", r.Body, StringComparison.Ordinal);
        Assert.EndsWith(" 1736935200000000000\n", r.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_batch_is_sent_without_waiting_for_the_interval()
    {
        using var handler = new RecordingHandler();
        await using var sink = new InfluxDbEventSink(V1(batch: 5), handler);
        for (var i = 0; i < 5; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        // The interval is an hour: only reaching BatchSize can have sent it.
        await Poll.UntilAsync(() => sink.PointsWritten == 5);
        Assert.Single(handler.Requests);
        Assert.Equal(0, sink.BufferDepth);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task Server_errors_and_429_keep_the_batch_and_retry_it(HttpStatusCode failure)
    {
        using var handler = new RecordingHandler(n => n < 3 ? failure : HttpStatusCode.NoContent);
        await using var sink = new InfluxDbEventSink(V1(), handler);
        for (var i = 0; i < 7; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await FlushAsync(sink);
        Assert.Equal(new InfluxDbSinkStats(7, 0, 0, 0), sink.GetStats());
        var requests = handler.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        Assert.All(requests, r => Assert.Equal(requests[3].Body, r.Body)); // the same batch each time
        Assert.Equal(7, requests[3].Body.Count(c => c == '\n'));
    }

    [Fact]
    public async Task Client_error_drops_the_batch_as_failed_and_the_next_batch_still_goes()
    {
        using var handler = new RecordingHandler(n => n == 0 ? HttpStatusCode.BadRequest : HttpStatusCode.NoContent);
        await using var sink = new InfluxDbEventSink(V1(batch: 3), handler);
        for (var i = 0; i < 3; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await Poll.UntilAsync(() => sink.PointsFailed == 3);
        sink.TryWrite(TestEvents.Request(3));
        await FlushAsync(sink);
        Assert.Equal(new InfluxDbSinkStats(1, 3, 0, 0), sink.GetStats());
        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("request_id=\"req-3\"", handler.AcceptedBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_capacity_the_oldest_are_dropped_counted_and_the_newest_survive()
    {
        var down = 1;
        using var handler = new RecordingHandler(_ => Volatile.Read(ref down) == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NoContent);
        await using var sink = new InfluxDbEventSink(V1(batch: 4, capacity: 10), handler);
        for (var i = 0; i < 25; i++)
        {
            Assert.True(sink.TryWrite(TestEvents.Request(i)));
        }

        // While the server fails, a flush cannot complete.
        using (var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.FlushAsync(shortWait.Token));
        }

        Assert.Equal(10, sink.BufferDepth);
        Volatile.Write(ref down, 0);
        await FlushAsync(sink);

        // 25 written into room for 10: 15 dropped, events 15..24 written.
        Assert.Equal(new InfluxDbSinkStats(10, 0, 15, 0), sink.GetStats());
        var ids = handler.AcceptedBody.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split("request_id=\"req-")[1].Split('"')[0]).Select(int.Parse).ToArray();
        Assert.Equal(Enumerable.Range(15, 10), ids);
    }

    [Fact]
    public async Task Dispose_writes_pending_events_then_refuses_new_ones()
    {
        using var handler = new RecordingHandler();
        var sink = new InfluxDbEventSink(V1(), handler);
        for (var i = 0; i < 3; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await sink.DisposeAsync();
        Assert.Equal(3, sink.PointsWritten);
        Assert.Equal(3, handler.AcceptedBody.Count(c => c == '\n'));
        Assert.False(sink.TryWrite(TestEvents.Request(9)));
        await sink.DisposeAsync(); // twice is harmless
    }

    [Fact]
    public async Task Dispose_during_an_outage_gives_up_after_the_shutdown_timeout_and_counts_the_loss()
    {
        using var handler = new RecordingHandler(_ => HttpStatusCode.BadGateway);
        var options = V1();
        options.ShutdownTimeout = TimeSpan.FromMilliseconds(200);
        var sink = new InfluxDbEventSink(options, handler);
        for (var i = 0; i < 4; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await sink.DisposeAsync();
        Assert.Equal(new InfluxDbSinkStats(0, 0, 4, 0), sink.GetStats());
    }

    [Fact]
    public async Task Connection_failures_are_retried()
    {
        var failures = 0;
        using var handler = new ThrowingThenRecording(() => Interlocked.Increment(ref failures) <= 2);
        await using var sink = new InfluxDbEventSink(V1(), handler);
        sink.TryWrite(TestEvents.Request(0));
        await FlushAsync(sink);
        Assert.Equal(1, sink.PointsWritten);
        Assert.Equal(3, failures);
    }

    [Fact]
    public void Options_are_validated()
    {
        using var handler = new RecordingHandler();
        Assert.Throws<ArgumentException>(() => new InfluxDbEventSink(new InfluxDbOptions { Url = new Uri("http://x/") }, handler));
        Assert.Throws<ArgumentException>(() => new InfluxDbEventSink(new InfluxDbOptions { Url = new Uri("http://x/"), Version = InfluxDbVersion.V2 }, handler));
        Assert.Throws<ArgumentException>(() => new InfluxDbEventSink(new InfluxDbOptions { Database = "d" }, handler));
    }

    private sealed class ThrowingThenRecording(Func<bool> fail) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            fail()
                ? throw new HttpRequestException("Connection refused (test)")
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
    }
}
