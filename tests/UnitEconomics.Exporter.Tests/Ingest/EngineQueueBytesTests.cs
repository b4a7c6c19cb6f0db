using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>
/// The ingest queue weighs requests by their encoded bytes, not one each, and refuses on the announced
/// size (Content-Length, gRPC length prefix) before a body is read or decoded.
/// </summary>
public sealed class EngineQueueBytesTests
{
    [Fact]
    public async Task A_large_request_fills_the_queue_and_the_next_is_refused_before_decoding()
    {
        using var gate = new ManualResetEventSlim(false);
        await using var exporter = await EngineExporter.StartAsync(
            ["Exporter:Ingest:QueueCapacity=1000", "Exporter:Ingest:QueueCapacityBytes=100000", "Exporter:Ingest:Workers=1", "Exporter:Ingest:RootSettleDelay=00:00:00"],
            services => services.AddSingleton<ICostSink>(new EngineSaturationTests.GatedSink(gate)));
        try
        {
            // One call the worker takes and stalls on: the intake is empty again.
            await Send.ProtobufOkAsync(exporter.TracesUri, Calls(1));
            await WaitUntil(() => exporter.Ingest.QueueDepth == 0);

            // 2,000 spans, several hundred KB: more than the queue's bytes, but an empty queue takes any one request.
            var large = Calls(2_000);
            Assert.True(large.CalculateSize() > 100_000);
            await Send.ProtobufOkAsync(exporter.TracesUri, large);
            Assert.Equal(large.CalculateSize(), exporter.Ingest.QueuedBytes);

            // Two requests queued of a thousand allowed, but the bytes are spent: a small request is refused,
            using (var refused = await Send.ProtobufAsync(exporter.TracesUri, Calls(1)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }

            // and so is a body that is not even protobuf: it was never decoded (a decoded one would be 400).
            using (var garbage = new ByteArrayContent("not protobuf at all"u8.ToArray()))
            {
                garbage.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await new HttpClient().PostAsync(exporter.TracesUri, garbage);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }

            var grpc = await Assert.ThrowsAsync<RpcException>(() => GrpcExport.CallAsync(exporter.GrpcUri, Calls(1)));
            Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
            Assert.Equal(3, exporter.RequestsRejected("saturated"));
            Assert.Equal(0, exporter.RequestsRejected("malformed"));

            gate.Set();
            await exporter.Ingest.DrainAsync();
            await Send.ProtobufOkAsync(exporter.TracesUri, Calls(1)); // room again
            await exporter.Ingest.DrainAsync();
            Assert.Equal(0, exporter.Ingest.QueuedBytes);

            // 1 + 2,000 + 1 calls of 1,000 input and 100 output tokens: 0.002 + 0.0008 = 0.0028 each.
            var scrape = await exporter.ScrapeAsync();
            Assert.Equal(2_002, scrape.Sum("ai_tenant_requests_total", ("tenant", "acme")));
            Assert.Equal(5.6056m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme"))); // 2,002 × 0.0028
        }
        finally
        {
            gate.Set();
        }
    }

    private static OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest Calls(int count)
    {
        var end = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        return GenAiSpans.Request(Enumerable.Range(0, count).Select(_ => GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, end, "acme", "support", 1_000, 100)));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
