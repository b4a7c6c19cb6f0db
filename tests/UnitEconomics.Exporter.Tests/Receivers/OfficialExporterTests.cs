using System.Diagnostics;
using Microsoft.Extensions.AI;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Tests.Receivers;

/// <summary>The official OpenTelemetry .NET OTLP exporter, over gRPC and HTTP/protobuf, talking to the real service.</summary>
public sealed class OfficialExporterTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Spans_from_an_ActivitySource_arrive_with_exact_values(OtlpExportProtocol protocol)
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        var sourceName = "test.app." + protocol;
        using var source = new ActivitySource(sourceName);

        ActivityTraceId traceId;
        ActivitySpanId rootId;
        DateTime childStart, childEnd;
        using (var provider = BuildProvider(exporter, protocol, sourceName))
        {
            using (var root = source.StartActivity("invoke_agent planner")!)
            {
                traceId = root.TraceId;
                rootId = root.SpanId;
                using var child = source.StartActivity("chat gpt-4o", ActivityKind.Client)!;
                child.SetTag("gen_ai.operation.name", "chat");
                child.SetTag("gen_ai.request.model", "gpt-4o");
                child.SetTag("gen_ai.usage.input_tokens", 1200);
                child.SetTag("gen_ai.usage.output_tokens", 350L);
                child.SetTag("gen_ai.usage.cost.amount", 0.0125);
                child.SetTag("ai.cache.hit", true);
                child.SetTag("tenant.id", "acme");
                child.SetTag("gen_ai.response.finish_reasons", new[] { "stop" });
                child.SetStatus(ActivityStatusCode.Error, "rate limited");
                child.Stop();
                childStart = child.StartTimeUtc;
                childEnd = child.StartTimeUtc + child.Duration;
            }

            Assert.True(provider.ForceFlush(10_000));
        }

        var span = ingest.Single("chat gpt-4o");
        Assert.Equal(traceId, span.TraceId);
        Assert.Equal(rootId, span.ParentSpanId);
        Assert.Equal(childStart, span.StartTimeUtc);
        Assert.Equal(childEnd, span.EndTimeUtc);
        Assert.True(span.IsError);
        Assert.Null(span.GetBaggage("tenant.id"));

        var attributes = AttributeCollector.Read(span);
        Assert.Equal("chat", attributes["gen_ai.operation.name"].Text);
        Assert.Equal("gpt-4o", attributes["gen_ai.request.model"].Text);
        Assert.Equal(AttributeKind.Long, attributes["gen_ai.usage.input_tokens"].Kind);
        Assert.Equal("1200", attributes["gen_ai.usage.input_tokens"].AsString());
        Assert.Equal("350", attributes["gen_ai.usage.output_tokens"].AsString());
        Assert.Equal(AttributeKind.Double, attributes["gen_ai.usage.cost.amount"].Kind);
        Assert.True(attributes["gen_ai.usage.cost.amount"].TryGetAmount(out var cost, out _));
        Assert.Equal(0.0125m, cost);
        Assert.Equal(AttributeKind.Bool, attributes["ai.cache.hit"].Kind);
        Assert.True(attributes["ai.cache.hit"].IsTrue());
        Assert.Equal("acme", attributes["tenant.id"].Text);
        Assert.Equal(AttributeKind.Other, attributes["gen_ai.response.finish_reasons"].Kind);

        Assert.True(span.TryGetResourceAttribute("service.name", out var service));
        Assert.Equal("checkout-api", service.Text);
        Assert.True(span.TryGetResourceAttribute("tenant.tier", out var tier));
        Assert.Equal("pro", tier.Text);
        Assert.False(span.TryGetResourceAttribute("no.such.key", out _));

        var root2 = ingest.Single("invoke_agent planner");
        Assert.Equal(default, root2.ParentSpanId);
        Assert.False(root2.IsError);

        var label = protocol == OtlpExportProtocol.Grpc ? ExporterMetrics.ProtocolGrpc : ExporterMetrics.ProtocolHttpProtobuf;
        Assert.Equal(2, exporter.Metrics.SpansReceived.WithLabels(label).Value);
        Assert.Equal(ingest.Requests.Count, exporter.Requests(label, ExporterMetrics.OutcomeOk));
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Microsoft_Extensions_AI_chat_spans_arrive_with_usage_model_and_tenant(OtlpExportProtocol protocol)
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        var sourceName = "test.ai." + protocol;

        using (var provider = BuildProvider(exporter, protocol, sourceName))
        {
            using var client = new ChatClientBuilder(new UsageReportingChatClient())
                .UseOpenTelemetry(sourceName: sourceName)
                .Build();
            var response = await client.GetResponseAsync("What does this customer cost us?", new ChatOptions { ModelId = "gpt-4o-mini" });
            Assert.Equal("About 3 cents.", response.Text);
            Assert.True(provider.ForceFlush(10_000));
        }

        var span = Assert.Single(ingest.Spans());
        var attributes = AttributeCollector.Read(span);
        Assert.Equal("chat", attributes["gen_ai.operation.name"].Text);
        Assert.Equal("gpt-4o-mini", attributes["gen_ai.request.model"].Text);
        Assert.Equal("gpt-4o-mini-2024-07-18", attributes["gen_ai.response.model"].Text);
        Assert.True(attributes["gen_ai.usage.input_tokens"].TryGetTokenCount(out var input, out _));
        Assert.Equal(1500L, input);
        Assert.True(attributes["gen_ai.usage.output_tokens"].TryGetTokenCount(out var output, out _));
        Assert.Equal(420L, output);
        Assert.Equal("acme", attributes["tenant.id"].Text);
        var provider2 = attributes.TryGetValue("gen_ai.provider.name", out var p) ? p : attributes["gen_ai.system"];
        Assert.Equal("openai", provider2.Text);
    }

    private static TracerProvider BuildProvider(EngineExporter exporter, OtlpExportProtocol protocol, string sourceName, string? headers = null)
    {
        return Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty()
                .AddService("checkout-api")
                .AddAttributes([new KeyValuePair<string, object>("tenant.tier", "pro")]))
            .AddSource(sourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Protocol = protocol;
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? exporter.GrpcUri : exporter.TracesUri;
                o.ExportProcessorType = ExportProcessorType.Simple;
                o.Headers = headers;
            })
            .Build()!;
    }

    internal static TracerProvider BuildProviderForTests(EngineExporter exporter, OtlpExportProtocol protocol, string sourceName, string? headers) =>
        BuildProvider(exporter, protocol, sourceName, headers);

    /// <summary>A model that answers with the usage a real provider reports, and tags the tenant on the chat span.</summary>
    private sealed class UsageReportingChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            // The chat span is current while the inner client runs: the app attributes the call to its customer here.
            Activity.Current?.SetTag("tenant.id", "acme");
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "About 3 cents."))
            {
                ModelId = "gpt-4o-mini-2024-07-18",
                Usage = new UsageDetails { InputTokenCount = 1500, OutputTokenCount = 420, TotalTokenCount = 1920 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("openai", new Uri("https://api.openai.com/v1"), "gpt-4o-mini") : null;

        public void Dispose()
        {
        }
    }
}
