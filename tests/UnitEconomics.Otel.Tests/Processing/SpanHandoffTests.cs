using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Otel.Tests.Processing;

/// <summary>The hand-off of ended spans to the pricing thread: order, no loss when full, shutdown, and the processor over it.</summary>
[Collection("activity-listeners")]
public sealed class SpanHandoffTests
{
    [Fact]
    public async Task A_full_ring_makes_the_ending_thread_price_and_nothing_is_lost_or_reordered()
    {
        var priced = new ConcurrentQueue<string>();
        using var entered = new ManualResetEventSlim(false);
        using var gate = new ManualResetEventSlim(false);
        var spans = Enumerable.Range(0, 514).Select(i => Span("s" + i)).ToArray();
        using var handoff = new SpanHandoff(1, Pricing(name =>
        {
            if (name == "s0")
            {
                // The pricer holds span 0 (and its lock) until the test lets it go.
                entered.Set();
                gate.Wait();
            }

            priced.Enqueue(name);
        }));
        Assert.Equal(512, handoff.Capacity); // the smallest ring: two wake batches

        handoff.Add(spans[0]);
        Assert.True(entered.Wait(10_000), "the pricing thread took the first span");
        for (var i = 1; i <= 512; i++)
        {
            handoff.Add(spans[i]); // fills the ring: span 0 has left it
        }

        Assert.Equal(0, handoff.PricedByEndingThread);
        var full = Task.Run(() => handoff.Add(spans[513])); // no room: this thread will price, after the 512 before it
        Assert.True(SpinWait.SpinUntil(() => handoff.PricedByEndingThread == 1, 10_000), "the ending thread found the ring full");
        gate.Set();
        await full.WaitAsync(TimeSpan.FromSeconds(10));
        handoff.PricePending();

        Assert.Equal(spans.Select(s => s.DisplayName), priced);
    }

    [Fact]
    public void Stop_prices_what_is_queued_and_later_spans_are_priced_by_the_thread_that_ends_them()
    {
        var priced = new ConcurrentQueue<string>();
        using var handoff = new SpanHandoff(1_000, Pricing(name => priced.Enqueue(name)));
        for (var i = 0; i < 10; i++)
        {
            handoff.Add(Span("queued" + i));
        }

        Assert.True(handoff.Stop(10_000));
        Assert.Equal(10, priced.Count);

        handoff.Add(Span("late"));
        Assert.Equal(11, priced.Count); // priced before Add returned
        Assert.Equal("late", priced.Last());
        Assert.Equal(1, handoff.PricedByEndingThread);
    }

    [Fact]
    public async Task A_price_call_that_drains_again_on_its_own_thread_neither_hangs_nor_prices_twice()
    {
        var priced = new ConcurrentQueue<string>();
        SpanHandoff? handoff = null;
        using (handoff = new SpanHandoff(1_000, Pricing(name =>
        {
            priced.Enqueue(name);
            if (name == "s1")
            {
                handoff!.PricePending(); // as a BudgetExceeded handler that flushes would, under the drain lock
            }
        })))
        {
            var spans = Enumerable.Range(0, 5).Select(i => Span("s" + i)).ToArray();
            foreach (var span in spans)
            {
                handoff.Add(span);
            }

            await Task.Run(handoff.PricePending).WaitAsync(TimeSpan.FromSeconds(10)); // a hang fails here
            Assert.Equal(spans.Select(s => s.DisplayName), priced);
        }
    }

    [Fact]
    public void A_parked_thread_is_woken_by_the_next_span()
    {
        using var priced = new SemaphoreSlim(0);
        using var handoff = new SpanHandoff(1_000, Pricing(_ => priced.Release()));
        for (var round = 0; round < 3; round++)
        {
            // Idle: after one empty timed wait the thread waits with no timeout, so only the span's own wake-up can price it.
            Assert.True(SpinWait.SpinUntil(() => handoff.IsParked, 10_000), "the idle thread parks");
            handoff.Add(Span("lone" + round));
            Assert.True(priced.Wait(10_000), "the span woke the parked thread");
        }

        Assert.Equal(0, handoff.PricedByEndingThread);
    }

    [Fact]
    public void Spans_of_many_threads_are_each_priced_once_and_exactly()
    {
        var sink = new RecordingSink();
        const int Threads = 4, PerThread = 2_500;
        using (var tracing = ProcessorTests.BuildTracing(sink, out var engine))
        {
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
            {
                for (var n = 0; n < PerThread; n++)
                {
                    using (var http = AgentScenario.Source.StartActivity("GET /answer"))
                    {
                        http?.SetTag("http.request.method", "GET").SetTag("tenant.id", "acme");
                    }

                    using var span = AgentScenario.Source.StartActivity("chat");
                    span!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.request.model", "gpt-4o").SetTag("gen_ai.provider.name", "openai")
                        .SetTag("gen_ai.usage.input_tokens", 100).SetTag("tenant.id", "acme");
                }
            });

            Assert.True(tracing.ForceFlush(10_000));
            Assert.Equal(Threads * PerThread, sink.Calls.Count); // every span, before the provider is disposed
        }

        Assert.Equal(Threads * PerThread, sink.Calls.Count); // and once: shutdown priced nothing twice
        Assert.Equal(2.5m, sink.Calls.Sum(c => c.Cost.Total)); // 10,000 × 100 tokens × 2.50 USD / 1e6
        Assert.Empty(sink.Rejected);
    }

    [Fact]
    public void Inline_pricing_prices_before_the_span_has_ended()
    {
        var sink = new RecordingSink();
        using var tracing = ProcessorTests.BuildTracing(sink, out _, o => o.InlinePricing = true);
        using (var span = AgentScenario.Source.StartActivity("chat"))
        {
            span!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.request.model", "gpt-4o").SetTag("gen_ai.usage.output_tokens", 100);
        }

        var call = Assert.Single(sink.Calls); // no flush: priced on this thread, in OnEnd
        Assert.Equal(0.001m, call.Cost.Total); // 100 × 10.00 USD / 1e6
    }

    [Theory]
    [InlineData("GET /answer", false, "http.request.method", "GET", "tenant.id", "acme")]
    [InlineData("request", false, "ai.use_case", "support", "session.id", "s-1")]
    [InlineData("request", true, "http.request.method", "GET", "gen_ai.operation.name", "chat")]
    [InlineData("chat gpt-4o", true, "http.request.method", "GET", "server.port", "443")]
    [InlineData("call", true, "llm.token_count.prompt", "12", "tenant.id", "acme")]
    [InlineData("task", true, "ai.task.root", "true", "tenant.id", "acme")]
    public void Only_spans_the_engine_would_read_are_handed_over(string name, bool expected, string key1, string value1, string key2, string value2)
    {
        var activity = new Activity(name);
        activity.SetTag(key1, value1).SetTag(key2, value2);
        var normalizer = new SpanNormalizer();

        Assert.Equal(expected, normalizer.MayBeGenAi(activity));
        Assert.Equal(expected, normalizer.Normalize(new ActivitySpanView(activity), out _, out _) != NormalizeResult.NotGenAi);
    }

    /// <summary>A span the engine reads, named by its response id (what the pricing callback receives).</summary>
    private static Activity Span(string name)
    {
        var span = new Activity(name);
        span.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.request.model", "no-such-model").SetTag("gen_ai.response.id", name);
        return span;
    }

    /// <summary>An engine whose one sink calls <paramref name="priced"/> with each span's name as the engine accounts it (unpriced: no catalog).</summary>
    private static CostEngine Pricing(Action<string> priced) =>
        new(new UnitEconomicsOptions(), () => PriceCatalog.Empty, () => TenantDirectory.Empty, [new CallbackSink(priced)]);

    private sealed class CallbackSink(Action<string> priced) : ICostSink
    {
        public void OnCall(in CallCost call) => priced(call.Call.ResponseId!);

        public void OnUnpriced(in GenAiCall call) => priced(call.ResponseId!);

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
