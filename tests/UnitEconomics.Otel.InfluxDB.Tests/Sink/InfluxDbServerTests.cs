using UnitEconomics.Otel.InfluxDB.Events;
using UnitEconomics.Otel.InfluxDB.Sink;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Otel.InfluxDB.Tests.Sink;

/// <summary>The sink against a real InfluxDB 1.x started on loopback for each test.</summary>
public sealed class InfluxDbServerTests
{
    private static InfluxDbOptions Options(InfluxDbServer server, int batch = 50, int capacity = 100_000, bool gzip = true) => new()
    {
        Url = server.Url,
        Database = server.Database,
        BatchSize = batch,
        BufferCapacity = capacity,
        Gzip = gzip,
        FlushInterval = TimeSpan.FromMilliseconds(100),
        MinRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
    };

    private static async Task FlushAsync(InfluxDbEventSink sink)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await sink.FlushAsync(cts.Token);
    }

    private static async Task<(long Count, double Sum, long MinTokens, long MaxTokens)> TotalsAsync(InfluxDbServer server)
    {
        var rows = await server.QueryAsync("SELECT count(cost_usd), sum(cost_usd), min(input_tokens), max(input_tokens) FROM ai_request");
        if (rows.Count == 0)
        {
            return (0, 0, 0, 0);
        }

        var r = Assert.Single(rows);
        return (r.Long("count"), r.Double("sum"), r.Long("min"), r.Long("max"));
    }

    [SkippableFact]
    public async Task A_user_request_reads_back_as_its_own_measurement()
    {
        await using var server = await InfluxDbServer.StartNewAsync();
        var request = new UserRequestEvent(TestEvents.T0, "acme", "pro", "support", "rag", Calls: 3, InferenceCalls: 1, RetrievalCalls: 2,
            CostUsd: 0.01102, DurationMs: 1450.5, TraceId: "4bf92f3577b34da6a3ce929d0e0e4736") { PointSeed = 123_456 };

        await using (var sink = new InfluxDbEventSink(Options(server)))
        {
            Assert.True(sink.TryWrite(request));
            await FlushAsync(sink);
            Assert.Equal(new InfluxDbSinkStats(1, 0, 0, 0), sink.GetStats());
        }

        var r = Assert.Single(await server.QueryAsync("SELECT * FROM ai_user_request"));
        Assert.Equal(TestEvents.T0Nanos + 123_456, r.Long("time")); // the seed keeps points of one millisecond apart
        Assert.Equal(("rag", "acme", "pro", "support"), (r.String("shape"), r.String("tenant"), r.String("tier"), r.String("use_case")));
        Assert.Equal((3L, 1L, 2L), (r.Long("calls"), r.Long("inference_calls"), r.Long("retrieval_calls")));
        Assert.Equal(0.01102, r.Double("cost_usd"));
        Assert.Equal(1450.5, r.Double("duration_ms"));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", r.String("trace_id"));
        var types = (await server.QueryAsync("SHOW FIELD KEYS FROM ai_user_request")).ToDictionary(x => x.String("fieldKey")!, x => x.String("fieldType"));
        Assert.Equal(("integer", "float"), (types["calls"], types["cost_usd"]));
    }

    [SkippableFact]
    public async Task Events_read_back_with_exact_values_types_and_escaped_text()
    {
        await using var server = await InfluxDbServer.StartNewAsync();

        var request = new RequestEvent(
            TestEvents.T0.AddTicks(1_234_567), "acme corp, inc=1", "pro", "anthropic", "claude \"sonnet\" 4", "chat", "support\nbot", "hit",
            InputTokens: 1_200, CacheReadTokens: 200, CacheWriteTokens: 100, OutputTokens: 350, ReasoningTokens: 50,
            CostUsd: 0.0000125, LatencyMs: 812.5, RequestId: "say \"hi\" \\o/", TraceId: "4bf92f3577b34da6a3ce929d0e0e4736", CostSource: "reported");
        var task = new AgentTaskEvent(TestEvents.T0, "acme corp, inc=1", "pro", "planner", "support", "budget_exceeded",
            ModelCalls: 5, ToolCalls: 3, FailedCalls: 1, Tokens: 14_500, CostUsd: 0.0435, DurationMs: 2300.25, TraceId: "t-9");

        await using (var sink = new InfluxDbEventSink(Options(server)))
        {
            Assert.True(sink.TryWrite(request));
            Assert.True(sink.TryWrite(task));
            await FlushAsync(sink);
            Assert.Equal(new InfluxDbSinkStats(2, 0, 0, 0), sink.GetStats());
        }

        var r = Assert.Single(await server.QueryAsync("SELECT * FROM ai_request"));
        Assert.Equal(1_736_935_200_123_456_700, r.Long("time"));
        Assert.Equal("acme corp, inc=1", r.String("tenant"));
        Assert.Equal("pro", r.String("tier"));
        Assert.Equal("anthropic", r.String("provider"));
        Assert.Equal("claude \"sonnet\" 4", r.String("model"));
        Assert.Equal("chat", r.String("operation"));
        Assert.Equal("support bot", r.String("use_case")); // the newline became a space
        Assert.Equal("hit", r.String("cache"));
        Assert.Equal(1_200, r.Long("input_tokens"));
        Assert.Equal(200, r.Long("cache_read_tokens"));
        Assert.Equal(100, r.Long("cache_write_tokens"));
        Assert.Equal(350, r.Long("output_tokens"));
        Assert.Equal(50, r.Long("reasoning_tokens"));
        Assert.Equal(0.0000125, r.Double("cost_usd"));
        Assert.Equal(812.5, r.Double("latency_ms"));
        Assert.Equal("say \"hi\" \\o/", r.String("request_id"));
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", r.String("trace_id"));
        Assert.Equal("reported", r.String("cost_source"));

        var t = Assert.Single(await server.QueryAsync("SELECT * FROM ai_agent_task"));
        Assert.Equal(TestEvents.T0Nanos, t.Long("time"));
        Assert.Equal("planner", t.String("agent"));
        Assert.Equal("budget_exceeded", t.String("outcome"));
        Assert.Equal("acme corp, inc=1", t.String("tenant"));
        Assert.Equal(5, t.Long("model_calls"));
        Assert.Equal(3, t.Long("tool_calls"));
        Assert.Equal(1, t.Long("failed_calls"));
        Assert.Equal(14_500, t.Long("tokens"));
        Assert.Equal(0.0435, t.Double("cost_usd"));
        Assert.Equal(2300.25, t.Double("duration_ms"));
        Assert.Equal("t-9", t.String("trace_id"));

        // The field types InfluxDB recorded: integers stay integers, costs are floats.
        var types = (await server.QueryAsync("SHOW FIELD KEYS FROM ai_request"))
            .ToDictionary(x => x.String("fieldKey")!, x => x.String("fieldType"));
        Assert.Equal("integer", types["input_tokens"]);
        Assert.Equal("integer", types["reasoning_tokens"]);
        Assert.Equal("float", types["cost_usd"]);
        Assert.Equal("float", types["latency_ms"]);
        Assert.Equal("string", types["request_id"]);
        var tags = (await server.QueryAsync("SHOW TAG KEYS FROM ai_request")).Select(x => x.String("tagKey")!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "cache", "model", "operation", "provider", "tenant", "tier", "use_case" }, tags);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Batches_arrive_with_gzip_on_and_off(bool gzip)
    {
        await using var server = await InfluxDbServer.StartNewAsync();

        await using (var sink = new InfluxDbEventSink(Options(server, batch: 64, gzip: gzip)))
        {
            for (var i = 0; i < 300; i++)
            {
                sink.TryWrite(TestEvents.Request(i));
            }

            await FlushAsync(sink);
            Assert.Equal(new InfluxDbSinkStats(300, 0, 0, 0), sink.GetStats());
        }

        // Σ i/1024 for i = 0..299 = 44,850 / 1024 = 43.798828125
        Assert.Equal((300, 43.798828125, 0, 299), await TotalsAsync(server));
    }

    [SkippableFact]
    public async Task Outage_within_capacity_loses_nothing()
    {
        await using var server = await InfluxDbServer.StartNewAsync();

        await using var sink = new InfluxDbEventSink(Options(server, batch: 40, capacity: 1_000));
        for (var i = 0; i < 100; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await FlushAsync(sink);
        Assert.Equal(100, sink.PointsWritten);

        await server.StopAsync();
        for (var i = 100; i < 400; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        // Down: nothing more can be written, and nothing is lost.
        using (var shortWait = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.FlushAsync(shortWait.Token));
        }

        Assert.Equal(new InfluxDbSinkStats(100, 0, 0, 300), sink.GetStats());

        await server.StartAsync();
        await FlushAsync(sink);
        Assert.Equal(new InfluxDbSinkStats(400, 0, 0, 0), sink.GetStats());

        // Σ i/1024 for i = 0..399 = 79,800 / 1024 = 77.9296875
        Assert.Equal((400, 77.9296875, 0, 399), await TotalsAsync(server));
    }

    [SkippableFact]
    public async Task Outage_past_capacity_keeps_the_newest_and_counts_every_drop()
    {
        await using var server = await InfluxDbServer.StartNewAsync();

        await server.StopAsync();
        await using var sink = new InfluxDbEventSink(Options(server, batch: 30, capacity: 100));
        for (var i = 0; i < 250; i++)
        {
            Assert.True(sink.TryWrite(TestEvents.Request(i)));
        }

        using (var shortWait = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sink.FlushAsync(shortWait.Token));
        }

        Assert.Equal(100, sink.BufferDepth);
        await server.StartAsync();
        await FlushAsync(sink);

        // 250 into room for 100: 150 dropped, the survivors are events 150..249.
        Assert.Equal(new InfluxDbSinkStats(100, 0, 150, 0), sink.GetStats());
        // Σ i/1024 for i = 150..249 = (31,125 − 11,175) / 1024 = 19,950 / 1024 = 19.482421875
        Assert.Equal((100, 19.482421875, 150, 249), await TotalsAsync(server));
    }

    [SkippableFact]
    public async Task Dispose_flushes_pending_events()
    {
        await using var server = await InfluxDbServer.StartNewAsync();

        var options = Options(server, batch: 1_000);
        options.FlushInterval = TimeSpan.FromHours(1); // only dispose can send them
        var sink = new InfluxDbEventSink(options);
        for (var i = 0; i < 10; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await sink.DisposeAsync();
        Assert.Equal(new InfluxDbSinkStats(10, 0, 0, 0), sink.GetStats());
        // Σ i/1024 for i = 0..9 = 45 / 1024 = 0.0439453125
        Assert.Equal((10, 0.0439453125, 0, 9), await TotalsAsync(server));
    }

    [SkippableFact]
    public async Task Unknown_database_is_a_refused_batch_not_a_retry()
    {
        await using var server = await InfluxDbServer.StartNewAsync();

        var options = Options(server);
        options.Database = "no_such_db";
        await using var sink = new InfluxDbEventSink(options);
        for (var i = 0; i < 5; i++)
        {
            sink.TryWrite(TestEvents.Request(i));
        }

        await FlushAsync(sink);
        Assert.Equal(new InfluxDbSinkStats(0, 5, 0, 0), sink.GetStats());
    }

    [SkippableFact]
    public async Task Basic_auth_is_sent_to_a_server_with_auth_enabled()
    {
        await using var server = await InfluxDbServer.StartNewAsync(username: "writer", password: "pw d=1");

        var good = Options(server);
        good.Username = "writer";
        good.Password = "pw d=1";
        await using (var sink = new InfluxDbEventSink(good))
        {
            sink.TryWrite(TestEvents.Request(1));
            await FlushAsync(sink);
            Assert.Equal(new InfluxDbSinkStats(1, 0, 0, 0), sink.GetStats());
        }

        var bad = Options(server);
        bad.Username = "writer";
        bad.Password = "wrong";
        await using (var sink = new InfluxDbEventSink(bad))
        {
            sink.TryWrite(TestEvents.Request(2));
            await FlushAsync(sink);
            Assert.Equal(new InfluxDbSinkStats(0, 1, 0, 0), sink.GetStats()); // 401: refused, not retried
        }

        Assert.Equal((1, 1 / 1024.0, 1, 1), await TotalsAsync(server));
    }
}
