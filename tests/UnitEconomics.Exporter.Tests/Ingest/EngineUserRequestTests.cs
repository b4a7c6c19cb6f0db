using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using UnitEconomics.Exporter.Tests.Receivers;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>
/// User requests through the service's door (DESIGN §7a): the trace is the request, assembled across the
/// export requests its spans came in, recorded once when it is accounted. Sent by the official OTLP
/// exporter, one export per span as each ends (children before their root). Test catalog: acme-model
/// input $2 and output $8 per million tokens; a vector search $0.001 per query.
/// </summary>
public sealed class EngineUserRequestTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task A_rag_query_sent_span_by_span_is_one_request_with_every_call_in_it(OtlpExportProtocol protocol)
    {
        await using var exporter = await EngineExporter.StartAsync();
        var sourceName = "test.engine.user-request." + protocol;
        using (var source = new ActivitySource(sourceName))
        using (var tracing = OfficialExporterTests.BuildProviderForTests(exporter, protocol, sourceName, headers: null))
        {
            using (var root = source.StartActivity("POST /ask", ActivityKind.Server)!)
            {
                root.SetTag("tenant.id", "acme");
                using (var retrieval = source.StartActivity("retrieval")!)
                {
                    Tag(retrieval, "retrieval");
                }

                using (var chat = source.StartActivity("chat acme-model")!)
                {
                    Tag(chat, "chat");
                    chat.SetTag("gen_ai.provider.name", "example");
                    chat.SetTag("gen_ai.request.model", "acme-model");
                    chat.SetTag("gen_ai.usage.input_tokens", 1_000L);
                    chat.SetTag("gen_ai.usage.output_tokens", 500L);
                }
            }

            Assert.True(tracing.ForceFlush(10_000));
        }

        await exporter.Ingest.DrainAsync();
        var scrape = await exporter.ScrapeAsync();

        // One query at $0.001, and 1,000 × $2/M + 500 × $8/M = 0.006 for the completion: 0.007, once.
        Assert.Equal(0.007m, scrape.Money("ai_user_request_cost_usd_sum", ("shape", "rag"), ("use_case", "support"), ("tier", "pro")));
        Assert.Equal(1, scrape.Sum("ai_user_request_cost_usd_count"));
        Assert.Equal(0.007m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme")));
    }

    private static void Tag(Activity span, string operation)
    {
        span.SetTag("gen_ai.operation.name", operation);
        span.SetTag("tenant.id", "acme");
        span.SetTag("ai.use_case", "support");
    }
}
