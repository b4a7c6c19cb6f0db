namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>The bound on traces in flight, and replay order when clocks disagree.</summary>
public sealed class EngineTraceBoundTests
{
    [Fact]
    public async Task Past_the_bound_the_oldest_trace_is_processed_early_and_counted()
    {
        await using var exporter = await EngineExporter.StartAsync(["Exporter:Ingest:Workers=1", "Exporter:Ingest:MaxTracesInFlight=1"]);
        var (first, _) = GenAiSpans.AgentTask(GenAiSpans.NewTraceId(), "acme", "research");
        var (second, secondRoot) = GenAiSpans.AgentTask(GenAiSpans.NewTraceId(), "globex", "research");

        // The first trace's root never comes; the second trace pushes it out.
        await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request(first));
        await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request(second));
        await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request([secondRoot]));
        await exporter.Ingest.DrainAsync();

        var scrape = await exporter.ScrapeAsync();
        Assert.Equal(1, scrape.Sum("ai_exporter_traces_processed_early_total"));
        Assert.Equal(0, scrape.Sum("ai_exporter_traces_in_flight"));

        // Both priced in full; only the second is a task (the first lost its root: its calls stand alone).
        Assert.Equal(0.0494m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme")));
        Assert.Equal(0.0494m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "globex")));
        Assert.Equal(1, scrape.Sum("ai_agent_tasks_total", ("tier", "enterprise")));
        Assert.Equal(0, scrape.Sum("ai_agent_tasks_total", ("tier", "pro")));
        Assert.Equal(6, scrape.Sum("ai_single_shot_cost_usd_count", ("tier", "pro")));
    }

    [Fact]
    public async Task A_root_that_ends_before_its_children_by_the_clock_still_closes_the_task_after_them()
    {
        await using var exporter = await EngineExporter.StartAsync();
        var (children, root) = GenAiSpans.AgentTask(GenAiSpans.NewTraceId(), "acme", "research");

        // The agent's host clock runs 10 s behind the model-calling host's.
        root.EndTimeUnixNano -= 10_000_000_000;
        root.StartTimeUnixNano -= 10_000_000_000;
        await Send.GrpcOkAsync(exporter.GrpcUri, GenAiSpans.Request([root, .. children]));
        await exporter.Ingest.DrainAsync();

        var scrape = await exporter.ScrapeAsync();
        Assert.Equal(1, scrape.Sum("ai_agent_tasks_total", ("agent", "researcher"), ("outcome", "ok")));
        Assert.Equal(6, scrape.Sum("ai_agent_task_model_calls_sum"));
        Assert.Equal(0.0494m, scrape.Money("ai_agent_task_cost_usd_sum"));
        Assert.Equal(0, scrape.Sum("ai_single_shot_cost_usd_count"));
    }
}
