using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>A full queue refuses with 503 / UNAVAILABLE; the sender's retries are then counted exactly once.</summary>
public sealed class EngineSaturationTests
{
    [Fact]
    public async Task Full_queue_answers_503_and_UNAVAILABLE_and_retries_count_once()
    {
        using var gate = new ManualResetEventSlim(false);
        await using var exporter = await EngineExporter.StartAsync(
            ["Exporter:Ingest:QueueCapacity=1", "Exporter:Ingest:Workers=1", "Exporter:Ingest:RootSettleDelay=00:00:00", "Exporter:DefaultRetryAfter=00:00:02"],
            services => services.AddSingleton<ICostSink>(new GatedSink(gate)));
        try
        {
            // Each request: one single-shot call of 1,000 input and 100 output tokens for acme:
            // 0.002 + 0.0008 = 0.0028 each.
            var refusedHttp = new List<OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest>();
            var refusedGrpc = new List<OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest>();
            for (var i = 0; i < 6; i++)
            {
                var request = OneCall();
                using var response = await Send.ProtobufAsync(exporter.TracesUri, request);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
                    refusedHttp.Add(request);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }

            for (var i = 0; i < 6; i++)
            {
                var request = OneCall();
                try
                {
                    await GrpcExport.CallAsync(exporter.GrpcUri, request);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    refusedGrpc.Add(request);
                }
            }

            // The worker holds one request, the queue one more: the rest was refused.
            Assert.True(refusedHttp.Count >= 4, $"refused over HTTP: {refusedHttp.Count}");
            Assert.Equal(6, refusedGrpc.Count);
            Assert.Equal(refusedHttp.Count + refusedGrpc.Count, exporter.Metrics.RequestsRejected.WithLabels("saturated").Value);

            gate.Set();

            // The sender retries what was refused until it is taken.
            foreach (var request in refusedHttp)
            {
                await RetryAsync(async () => (await Send.ProtobufAsync(exporter.TracesUri, request)).StatusCode == HttpStatusCode.OK);
            }

            foreach (var request in refusedGrpc)
            {
                await RetryAsync(async () =>
                {
                    try
                    {
                        await GrpcExport.CallAsync(exporter.GrpcUri, request);
                        return true;
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                    {
                        return false;
                    }
                });
            }

            await exporter.Ingest.DrainAsync();
            var scrape = await exporter.ScrapeAsync();
            Assert.Equal(12, scrape.Sum("ai_tenant_requests_total", ("tenant", "acme")));
            Assert.Equal(12 * 0.0028m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme")));
            Assert.Equal(0, scrape.Sum("ai_exporter_queue_depth"));
        }
        finally
        {
            gate.Set();
        }
    }

    private static OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest OneCall() =>
        GenAiSpans.Request([GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, "acme", "support", 1_000, 100)]);

    private static async Task RetryAsync(Func<Task<bool>> attempt)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await attempt())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("the request was never accepted");
    }

    /// <summary>A sink that stalls the engine until the gate opens: the worker stops taking requests.</summary>
    internal sealed class GatedSink(ManualResetEventSlim gate) : ICostSink
    {
        public void OnCall(in CallCost call) => gate.Wait(TimeSpan.FromSeconds(60));

        public void OnUnpriced(in GenAiCall call)
        {
        }

        public void OnAgentTask(in AgentTaskSummary task)
        {
        }

        public void OnBudgetExceeded(in BudgetExceeded exceeded)
        {
        }

        public void OnRejected(RejectReason reason)
        {
        }

        public void OnTenantOverflow()
        {
        }
    }
}
