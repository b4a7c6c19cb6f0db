using Microsoft.Extensions.DependencyInjection;
using UnitEconomics.Otel.InfluxDB.Sink;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>The service writing its events to a real InfluxDB 1.x, read back with InfluxQL.</summary>
public sealed class EngineInfluxDbTests
{
    [SkippableFact]
    public async Task Events_written_by_the_service_read_back_exactly()
    {
        await using var influx = await InfluxDbServer.StartNewAsync();

        await using var exporter = await EngineExporter.StartAsync(InfluxSettings(influx, flushInterval: "00:00:00.100"));
        var traceId = GenAiSpans.NewTraceId();
        var (children, root) = GenAiSpans.AgentTask(traceId, "acme", "research");
        await Send.GrpcOkAsync(exporter.GrpcUri, GenAiSpans.Request(children));
        await Send.GrpcOkAsync(exporter.GrpcUri, GenAiSpans.Request([root]));
        await exporter.Ingest.DrainAsync();
        await exporter.App.Services.GetRequiredService<InfluxDbEventSink>().FlushAsync();

        var requests = await influx.QueryAsync("SELECT * FROM ai_request WHERE tenant = 'acme' ORDER BY time");
        Assert.Equal(6, requests.Count);
        Assert.Equal([1_500L, 1_200, 1_200, 1_200, 4_000, 2_000], requests.Select(r => r.Long("input_tokens")));
        Assert.Equal([500L, 300, 300, 300, 1_000, 1_000], requests.Select(r => r.Long("output_tokens")));
        // Per call, input × $2 + output × $8 per million tokens.
        Assert.Equal([0.007m, 0.0048m, 0.0048m, 0.0048m, 0.016m, 0.012m], requests.Select(r => Math.Round((decimal)r.Double("cost_usd"), 10)));
        Assert.All(requests, r =>
        {
            Assert.Equal("pro", r.String("tier"));
            Assert.Equal("research", r.String("use_case"));
            Assert.Equal(TestCatalog.Model, r.String("model"));
            Assert.Equal("estimated", r.String("cost_source"));
            Assert.Equal(Convert.ToHexStringLower(traceId), r.String("trace_id"));
        });

        var task = Assert.Single(await influx.QueryAsync("SELECT * FROM ai_agent_task"));
        Assert.Equal("researcher", task.String("agent"));
        Assert.Equal("ok", task.String("outcome"));
        Assert.Equal(14_500, task.Long("tokens"));
        Assert.Equal(6, task.Long("model_calls"));
        Assert.Equal(3, task.Long("tool_calls"));
        Assert.Equal(0.0494m, Math.Round((decimal)task.Double("cost_usd"), 10));

        // The trace is one user request, sent over two requests (children first): counted once, when it settled.
        var request = Assert.Single(await influx.QueryAsync("SELECT * FROM ai_user_request"));
        Assert.Equal(("agent", "acme", "pro", "research"), (request.String("shape"), request.String("tenant"), request.String("tier"), request.String("use_case")));
        Assert.Equal((6L, 6L, 0L), (request.Long("calls"), request.Long("inference_calls"), request.Long("retrieval_calls")));
        Assert.Equal(0.0494m, Math.Round((decimal)request.Double("cost_usd"), 10)); // the task's cost: nothing else was priced
        Assert.Equal(Convert.ToHexStringLower(traceId), request.String("trace_id"));

        var scrape = await exporter.ScrapeAsync();
        Assert.Equal(8, scrape.Sum("ai_exporter_influxdb_points_written_total")); // 6 calls, 1 task, 1 user request
        Assert.Equal(0, scrape.Sum("ai_exporter_influxdb_points_dropped_total"));
    }

    [SkippableFact]
    public async Task Calls_with_the_same_tags_ending_in_the_same_millisecond_are_distinct_points()
    {
        await using var influx = await InfluxDbServer.StartNewAsync();

        await using var exporter = await EngineExporter.StartAsync(InfluxSettings(influx, flushInterval: "00:00:00.100"));

        // Three parallel calls of one app: same tenant, model, operation, use case; the same end time to the nanosecond.
        var end = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var calls = new[] { 1_000L, 2_000, 3_000 }.Select(input => GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, end, "globex", "support", input, 500)).ToList();
        await Send.GrpcOkAsync(exporter.GrpcUri, GenAiSpans.Request(calls));
        await exporter.Ingest.DrainAsync();
        await exporter.App.Services.GetRequiredService<InfluxDbEventSink>().FlushAsync();

        var points = await influx.QueryAsync("SELECT * FROM ai_request WHERE tenant = 'globex'");
        Assert.Equal(3, points.Count);
        Assert.Equal([1_000L, 2_000, 3_000], points.Select(p => p.Long("input_tokens")).Order());
        Assert.Equal(3, points.Select(p => p.Long("time")).Distinct().Count());

        // input × $2 + 500 × $8 per million: 0.006 + 0.008 + 0.010, the same in InfluxDB as in Prometheus.
        Assert.Equal(0.024m, Math.Round(points.Sum(p => (decimal)p.Double("cost_usd")), 10));
        Assert.Equal(0.024m, (await exporter.ScrapeAsync()).Money("ai_tenant_cost_usd_total", ("tenant", "globex")));

        // Kept apart inside the millisecond the calls ended in: the time moves by less than a millisecond.
        Assert.All(points, p => Assert.InRange(p.Long("time"), (long)end, (long)end + 999_999));
    }

    [SkippableFact]
    public async Task Shutdown_processes_the_trace_whose_root_never_came_and_flushes_its_events()
    {
        await using var influx = await InfluxDbServer.StartNewAsync();

        // Long idle timeout and flush interval: only the shutdown can process the trace and write the events.
        var exporter = await EngineExporter.StartAsync(
            [.. InfluxSettings(influx, flushInterval: "01:00:00"), "Exporter:Ingest:TraceIdleTimeout=01:00:00"]);
        await using (exporter)
        {
            // The agent task hangs under the app's HTTP request span, which is never sent (its process died).
            var traceId = GenAiSpans.NewTraceId();
            var (children, taskRoot) = GenAiSpans.AgentTask(traceId, "initech", "research", parentOfRoot: GenAiSpans.NewSpanId());
            await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request(children));
            await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request([taskRoot]));
            await exporter.Ingest.DrainAsync(); // rooted traces only: this one is not, and stays buffered
            var before = await exporter.ScrapeAsync();
            Assert.Equal(1, before.Sum("ai_exporter_traces_in_flight"));
            Assert.Equal(0, before.Sum("ai_agent_tasks_total"));

            await exporter.StopAsync();

            var after = await exporter.CollectAsync();
            Assert.Equal(1, after.Sum("ai_agent_tasks_total", ("agent", "researcher"), ("tier", "pro"), ("outcome", "ok")));
            Assert.Equal(0.0494m, after.Money("ai_tenant_cost_usd_total", ("tenant", "initech")));
            Assert.Equal(0, after.Sum("ai_exporter_traces_in_flight"));
        }

        Assert.Equal(6, (await influx.QueryAsync("SELECT * FROM ai_request WHERE tenant = 'initech'")).Count);
        var task = Assert.Single(await influx.QueryAsync("SELECT * FROM ai_agent_task WHERE tenant = 'initech'"));
        Assert.Equal(14_500, task.Long("tokens"));
        Assert.Equal(0.0494m, Math.Round((decimal)task.Double("cost_usd"), 10));
    }

    private static string[] InfluxSettings(InfluxDbServer influx, string flushInterval) =>
    [
        "Exporter:Influx:Url=" + influx.Url,
        "Exporter:Influx:Version=V1",
        "Exporter:Influx:Database=" + influx.Database,
        "Exporter:Influx:FlushInterval=" + flushInterval,
        "Exporter:Influx:Gzip=false",
    ];
}
