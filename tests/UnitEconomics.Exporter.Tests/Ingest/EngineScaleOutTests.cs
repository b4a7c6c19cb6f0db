using OpenTelemetry.Proto.Collector.Trace.V1;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>
/// Three instances behind a trace-id router (what the collector's loadbalancing exporter does) count
/// exactly what one instance fed everything counts: counters, histograms, agent tasks.
/// </summary>
public sealed class EngineScaleOutTests
{
    private static readonly string[] Families =
    [
        "ai_cost_usd_total", "ai_tenant_cost_usd_total", "ai_tokens_total", "ai_requests_total", "ai_tenant_requests_total",
        "ai_request_cost_usd_sum", "ai_request_cost_usd_count", "ai_agent_tasks_total", "ai_agent_task_cost_usd_sum",
        "ai_agent_task_cost_usd_count", "ai_agent_task_model_calls_sum", "ai_agent_task_tokens_sum", "ai_agent_task_tokens_bucket",
        "ai_single_shot_cost_usd_sum", "ai_single_shot_cost_usd_count",
    ];

    [Fact]
    public async Task Three_sharded_instances_sum_to_one_instance()
    {
        // 9 agent tasks over three tenants, each with a single shot in its own (randomly routed) trace.
        // The tasks' trace ids are drawn until they route to shard i % 3: with nine random ids a shard
        // gets no task 7.8% of the time (3 x (2/3)^9), and the test would fail for no fault of the code.
        string[] tenants = ["acme", "globex", "initech"];
        var childBatches = new List<ProtoSpan>[] { [], [] };
        var roots = new List<ProtoSpan>();
        for (var i = 0; i < 9; i++)
        {
            var tenant = tenants[i % 3];
            var (children, root) = GenAiSpans.AgentTask(TraceIdOnShard(i % 3), tenant, "research");
            childBatches[0].AddRange(children.Take(5));
            childBatches[1].AddRange(children.Skip(5));
            childBatches[1].Add(GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, root.EndTimeUnixNano, tenant, "support", 2_000, 1_000));
            roots.Add(root);
        }

        // Children first, in two requests, roots last in a third: over every instance the same way.
        List<ProtoSpan>[] sends = [childBatches[0], childBatches[1], roots];

        await using var single = await EngineExporter.StartAsync();
        await using var a = await EngineExporter.StartAsync(["Exporter:Ingest:Workers=2"]);
        await using var b = await EngineExporter.StartAsync();
        await using var c = await EngineExporter.StartAsync(["Exporter:Ingest:Workers=3"]);
        EngineExporter[] shards = [a, b, c];

        foreach (var spans in sends)
        {
            await Send.GrpcOkAsync(single.GrpcUri, GenAiSpans.Request(spans));
            for (var s = 0; s < shards.Length; s++)
            {
                var mine = spans.Where(span => Route(span) == s).ToList();
                if (mine.Count > 0)
                {
                    await Send.ProtobufOkAsync(shards[s].TracesUri, GenAiSpans.Request(mine));
                }
            }
        }

        foreach (var exporter in (EngineExporter[])[single, .. shards])
        {
            await exporter.Ingest.DrainAsync();
        }

        var one = (await single.ScrapeAsync()).Families(Families);
        var parts = new List<Dictionary<string, double>>();
        foreach (var shard in shards)
        {
            var scrape = await shard.ScrapeAsync();
            Assert.True(scrape.Sum("ai_agent_tasks_total") > 0, "every shard got some traces");
            parts.Add(scrape.Families(Families));
        }

        var summed = parts.SelectMany(p => p).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        Assert.Equal(one.Keys.Order(), summed.Keys.Order());
        foreach (var (series, value) in one)
        {
            Assert.True(Math.Abs(value - summed[series]) < 1e-9, $"{series}: one instance {value}, shards {summed[series]}");
        }

        // And the one instance's figures by hand: 9 tasks of 0.0494 and 9 single shots of 0.012.
        var all = await single.ScrapeAsync();
        Assert.Equal(9 * 0.0494m + 9 * 0.012m, all.Money("ai_cost_usd_total"));
        Assert.Equal(9, all.Sum("ai_agent_tasks_total", ("outcome", "ok")));
        Assert.Equal(9 * 14_500, all.Sum("ai_agent_task_tokens_sum"));
        Assert.Equal(9, all.Sum("ai_single_shot_cost_usd_count"));
        Assert.Equal(3 * 0.0494m + 3 * 0.012m, all.Money("ai_tenant_cost_usd_total", ("tenant", "globex")));
    }

    private static byte[] TraceIdOnShard(int shard)
    {
        while (true)
        {
            var traceId = GenAiSpans.NewTraceId();
            if (Route(traceId) == shard)
            {
                return traceId;
            }
        }
    }

    /// <summary>The shard of a span: by trace id only, so a whole trace lands on one instance.</summary>
    private static int Route(ProtoSpan span) => Route(span.TraceId.Span);

    private static int Route(ReadOnlySpan<byte> traceId) => (int)(BitConverter.ToUInt32(traceId[..4]) % 3);
}
