using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>
/// The official OpenTelemetry .NET OTLP exporter sends Microsoft.Extensions.AI chat spans (over the
/// scripted provider) to the running service; /metrics then shows the money, computed here by hand
/// from the test catalog: acme-model at $2 input and $8 output per million tokens.
/// </summary>
public sealed class EngineOfficialExporterTests
{
    // The agent task (AgentScenario.TaskCalls), per call: input × 2 + output × 8, per million:
    // (1500, 500) 0.003 + 0.004 = 0.007
    // (1200, 300) 0.0024 + 0.0024 = 0.0048, three times = 0.0144
    // (4000, 1000) 0.008 + 0.008 = 0.016
    // (2000, 1000) 0.004 + 0.008 = 0.012
    // total 0.0494 for 11,100 input + 3,400 output = 14,500 tokens in 6 calls.
    internal const decimal TaskCost = 0.0494m;

    // The single-shot completion, 2,000 input and 1,000 output: 0.004 + 0.008.
    internal const decimal SingleShotCost = 0.012m;

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Agent_task_and_single_shot_are_priced_per_tenant_model_and_use_case(OtlpExportProtocol protocol)
    {
        await using var exporter = await EngineExporter.StartAsync();
        var chatSource = "test.engine.chat." + protocol;
        var provider = new ScriptedChatClient(TestCatalog.Provider, TestCatalog.Model);
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("research-app"))
            .AddSource(AgentScenario.SourceName, chatSource)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BaggageToTags())
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? exporter.GrpcUri : exporter.TracesUri;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build()!)
        {
            using var chat = new ChatClientBuilder(provider).UseOpenTelemetry(sourceName: chatSource).Build();
            await AgentScenario.RunTaskAsync(chat, provider, tenant: "acme", useCase: "research");
            await AgentScenario.RunSingleShotAsync(chat, provider, tenant: "globex", useCase: "support");
            Assert.True(tracing.ForceFlush(10_000));
        }

        Assert.Equal(7, provider.Calls);
        await exporter.Ingest.DrainAsync();
        var scrape = await exporter.ScrapeAsync();
        AssertScenarioFigures(scrape);
    }

    /// <summary>The figures of one agent task for acme (research) and one single shot for globex (support).</summary>
    internal static void AssertScenarioFigures(Scrape scrape, int times = 1)
    {
        var research = new[] { ("provider", TestCatalog.Provider), ("model", TestCatalog.Model), ("operation", "chat"), ("use_case", "research"), ("tier", "pro") };
        var support = new[] { ("provider", TestCatalog.Provider), ("model", TestCatalog.Model), ("operation", "chat"), ("use_case", "support"), ("tier", "enterprise") };
        Assert.Equal(TaskCost * times, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme"), ("tier", "pro")));
        Assert.Equal(SingleShotCost * times, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "globex"), ("tier", "enterprise")));
        Assert.Equal(TaskCost * times, scrape.Money("ai_cost_usd_total", research));
        Assert.Equal(SingleShotCost * times, scrape.Money("ai_cost_usd_total", support));
        Assert.Equal(0.0614m * times, scrape.Money("ai_cost_usd_total"));
        Assert.Equal(6 * times, scrape.Sum("ai_requests_total", research));
        Assert.Equal(1 * times, scrape.Sum("ai_requests_total", support));
        Assert.Equal(6 * times, scrape.Sum("ai_tenant_requests_total", ("tenant", "acme")));
        Assert.Equal(11_100 * times, scrape.Sum("ai_tokens_total", [.. research.Where(l => l.Item1 != "operation"), ("token_type", "input")]));
        Assert.Equal(3_400 * times, scrape.Sum("ai_tokens_total", [.. research.Where(l => l.Item1 != "operation"), ("token_type", "output")]));

        var task = new[] { ("agent", "researcher"), ("use_case", "research"), ("tier", "pro") };
        Assert.Equal(1 * times, scrape.Sum("ai_agent_tasks_total", [.. task, ("outcome", "ok")]));
        Assert.Equal(1 * times, scrape.Sum("ai_agent_tasks_total"));
        Assert.Equal(1 * times, scrape.Sum("ai_agent_task_cost_usd_count", task));
        Assert.Equal(TaskCost * times, scrape.Money("ai_agent_task_cost_usd_sum", task));
        Assert.Equal(6 * times, scrape.Sum("ai_agent_task_model_calls_sum", task));
        Assert.Equal(14_500 * times, scrape.Sum("ai_agent_task_tokens_sum", task));

        // Only the completion outside the task is single-shot: the baseline of the agent multiplier.
        Assert.Equal(1 * times, scrape.Sum("ai_single_shot_cost_usd_count"));
        Assert.Equal(SingleShotCost * times, scrape.Money("ai_single_shot_cost_usd_sum", ("use_case", "support"), ("tier", "enterprise")));
        Assert.Equal(0, scrape.Sum("ai_unpriced_requests_total"));
        Assert.Equal(0, scrape.Sum("ai_spans_rejected_total"));
    }
}
