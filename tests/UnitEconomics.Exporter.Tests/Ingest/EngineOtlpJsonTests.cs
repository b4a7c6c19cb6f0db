namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>OTLP/JSON, written by hand per the spec, priced to the same figures as the official exporter's protobuf.</summary>
public sealed class EngineOtlpJsonTests
{
    [Fact]
    public async Task Json_request_gives_the_same_figures()
    {
        await using var exporter = await EngineExporter.StartAsync();
        var traceId = GenAiSpans.NewTraceId();
        var (children, root) = GenAiSpans.AgentTask(traceId, "acme", "research");
        var single = GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, "globex", "support", 2_000, 1_000);

        // The task's children in two requests, the single shot in a third, the task root last.
        await Send.JsonOkAsync(exporter.TracesUri, OtlpJson.Write(children.Take(4)));
        await Send.JsonOkAsync(exporter.TracesUri, OtlpJson.Write(children.Skip(4)));
        await Send.JsonOkAsync(exporter.TracesUri, OtlpJson.Write([single]));
        await Send.JsonOkAsync(exporter.TracesUri, OtlpJson.Write([root]));

        await exporter.Ingest.DrainAsync();
        EngineOfficialExporterTests.AssertScenarioFigures(await exporter.ScrapeAsync());
        Assert.Equal(4, exporter.Metrics.Requests.WithLabels("http_json", "ok").Value);
    }
}
