using System.Diagnostics;
using Microsoft.Extensions.AI;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Tests.Processing;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Otel.Tests.Requests;

/// <summary>
/// User requests in-process (DESIGN §7a), through the real SDK and Microsoft.Extensions.AI's OpenTelemetry
/// chat client: every priced call under one local root adds up to one request, recorded once when the root
/// ends. Prices (USD per million tokens): gpt-4o input 2.50, output 10; text-embedding-3-small input 0.02;
/// vector-search $0.001 per query.
/// Listens to the same activity sources as the other processor tests: in their collection, so no other
/// test's spans (tenant acme's budget, say) are priced by this test's engine, or the other way round.
/// </summary>
[Collection("activity-listeners")]
public sealed class UserRequestTests
{
    private static readonly ModelPrice Embedding = new() { Id = "text-embedding-3-small", Provider = "openai", Standard = new PriceSet { Input = 0.02m } };

    private static readonly ModelPrice VectorSearch = new() { Id = "vector-search", Standard = new PriceSet { PerCall = 0.001m } };

    [Theory]
    [InlineData(false)] // the pricing thread
    [InlineData(true)] // InlinePricing: the engine on the app's thread
    public async Task A_rag_query_under_a_server_span_is_one_request_of_embedding_search_and_completion(bool inline)
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        ActivityTraceId traceId;
        ActivitySpanId rootId;
        using (var tracing = ProcessorTests.BuildTracing(sink, out var engine, o => o.InlinePricing = inline, ProcessorTests.Gpt4o, Embedding, VectorSearch))
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
            using (var root = AgentScenario.Source.StartActivity("POST /ask", ActivityKind.Server)!)
            {
                (traceId, rootId) = (root.TraceId, root.SpanId);
                root.AddBaggage("tenant.id", "acme");
                root.AddBaggage("ai.use_case", "support");
                Embed(tokens: 1_000);
                Retrieve();
                provider.Then(input: 2_000, output: 500);
                await chat.GetResponseAsync("answer from the passages");
                Assert.Empty(sink.Requests); // the request is open until its root ends
            }

            engine.PricePending();
        }

        var request = Assert.Single(sink.Requests);
        // 1,000 × 0.02/M = 0.00002; one query 0.001; 2,000 × 2.50/M + 500 × 10/M = 0.01.
        Assert.Equal(0.01102m, request.CostUsd);
        Assert.Equal(0.01102m, sink.Calls.Sum(c => c.Cost.Total)); // the request adds up its calls, each counted once
        Assert.Equal((RequestShape.Rag, 3, 1, 2), (request.Shape, request.Calls, request.InferenceCalls, request.RetrievalCalls));
        Assert.Equal(("acme", "support", traceId, rootId), (request.TenantLabel, request.UseCase, request.TraceId, request.RootSpanId));
        Assert.False(request.ClosedByTimeout);
    }

    [Fact]
    public async Task A_lone_call_is_a_single_shot_request_and_an_agent_run_one_agent_request()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using (var tracing = ProcessorTests.BuildTracing(sink, out var engine))
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
            provider.Then(input: 1_000, output: 100);
            await chat.GetResponseAsync("no parent span at all");
            await AgentScenario.RunSingleShotAsync(chat, provider, "acme", "search");
            await AgentScenario.RunTaskAsync(chat, provider, "globex", "research");
            engine.PricePending();
        }

        var requests = sink.Requests.ToArray();
        Assert.Equal(3, requests.Length);

        // The chat without a parent: 1,000 × 2.50/M + 100 × 10/M = 0.0035, its own root.
        Assert.Equal((RequestShape.SingleShot, 0.0035m, 1), (requests[0].Shape, requests[0].CostUsd, requests[0].Calls));
        // Under a plain "single-shot request" span: 2,000 × 2.50/M + 1,000 × 10/M = 0.015.
        Assert.Equal((RequestShape.SingleShot, 0.015m, "search"), (requests[1].Shape, requests[1].CostUsd, requests[1].UseCase));
        // The agent task's six completions: 11,100 input × 2.50/M + 3,400 output × 10/M = 0.02775 + 0.034.
        Assert.Equal((RequestShape.Agent, 0.06175m, 6, "research"), (requests[2].Shape, requests[2].CostUsd, requests[2].Calls, requests[2].UseCase));
        Assert.Equal(0.06175m, Assert.Single(sink.Tasks).CostUsd); // the task and its request agree
    }

    [Fact]
    public async Task A_call_that_ends_after_its_request_is_counted_once_in_a_request_of_its_own()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using (var tracing = ProcessorTests.BuildTracing(sink, out var engine))
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
            Activity late;
            using (var root = AgentScenario.Source.StartActivity("POST /ask", ActivityKind.Server)!)
            {
                provider.Then(input: 2_000, output: 0);
                await chat.GetResponseAsync("on time");
                late = Chat("fire and forget", input: 4_000);
            }

            late.Stop(); // after its root: the request it belonged to has ended
            engine.PricePending();
            Assert.Equal([0.005m], sink.Requests.Select(r => r.CostUsd)); // 2,000 × 2.50/M
        }

        // Disposing the provider closes what is still open: the late call, 4,000 × 2.50/M = 0.01.
        var requests = sink.Requests.ToArray();
        Assert.Equal([0.005m, 0.01m], requests.Select(r => r.CostUsd));
        Assert.True(requests[1].ClosedByTimeout);
        Assert.Equal(0.015m, sink.Calls.Sum(c => c.Cost.Total));
    }

    [Fact]
    public async Task A_request_left_open_is_closed_by_the_engine_once_idle_as_calls_go_on()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using var tracing = ProcessorTests.BuildTracing(sink, out var engine, o => o.TaskIdleTimeout = TimeSpan.FromMilliseconds(1));
        using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
        Activity late;
        using (AgentScenario.Source.StartActivity("POST /ask", ActivityKind.Server))
        {
            late = Chat("fire and forget", input: 4_000);
        }

        late.Stop();
        Activity.Current = null; // Stop made the ended root current again; the next call belongs to no request of it
        engine.PricePending();
        Assert.Equal(1, engine.OpenRequests);

        // The engine sweeps at most once a second (a quarter of the timeout, at least 1 s), as calls come.
        await Task.Delay(TimeSpan.FromMilliseconds(1_100));
        provider.Then(input: 1_000, output: 0);
        await chat.GetResponseAsync("a later, unrelated call");
        engine.PricePending();

        Assert.Equal(0, engine.OpenRequests);
        var closed = Assert.Single(sink.Requests, r => r.ClosedByTimeout);
        Assert.Equal(0.01m, closed.CostUsd); // 4,000 × 2.50/M
    }

    [Fact]
    public void A_root_with_no_call_under_it_is_no_request()
    {
        var sink = new RecordingSink();
        using (var tracing = ProcessorTests.BuildTracing(sink, out var engine))
        {
            using (var root = AgentScenario.Source.StartActivity("GET /health", ActivityKind.Server))
            {
                using var child = AgentScenario.Source.StartActivity("db query");
            }

            engine.PricePending();
            Assert.Equal(0, engine.OpenRequests);
        }

        Assert.Empty(sink.Requests);
    }

    private static void Embed(long tokens)
    {
        using var span = AgentScenario.Source.StartActivity("embeddings text-embedding-3-small")!;
        span.SetTag("gen_ai.operation.name", "embeddings");
        span.SetTag("gen_ai.provider.name", "openai");
        span.SetTag("gen_ai.request.model", "text-embedding-3-small");
        span.SetTag("gen_ai.usage.input_tokens", tokens);
    }

    private static void Retrieve()
    {
        using var span = AgentScenario.Source.StartActivity("retrieval")!;
        span.SetTag("gen_ai.operation.name", "retrieval");
    }

    private static Activity Chat(string name, long input)
    {
        var span = AgentScenario.Source.StartActivity(name)!;
        span.SetTag("gen_ai.operation.name", "chat");
        span.SetTag("gen_ai.provider.name", "openai");
        span.SetTag("gen_ai.request.model", "gpt-4o");
        span.SetTag("gen_ai.usage.input_tokens", input);
        span.SetTag("gen_ai.usage.output_tokens", 0L);
        return span;
    }
}
