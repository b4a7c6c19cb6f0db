using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Otel.Tests.Processing;

/// <summary>The processor under the real OpenTelemetry SDK, fed by Microsoft.Extensions.AI's OpenTelemetry chat client.</summary>
[Collection("activity-listeners")]
public sealed class ProcessorTests
{
    // gpt-4o list prices, USD per million tokens.
    internal static readonly ModelPrice Gpt4o = new()
    {
        Id = "gpt-4o",
        Provider = "openai",
        Standard = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10.00m },
    };

    [Fact]
    public async Task Chat_client_span_normalizes_to_the_expected_parts()
    {
        var exported = new List<Activity>();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource("*Microsoft.Extensions.AI*").AddInMemoryExporter(exported).Build())
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
            provider.Then(input: 1200, output: 300, cached: 1000, reasoning: 50);
            await chat.GetResponseAsync("hello", new ChatOptions { ConversationId = "conv-7" });
        }

        var span = Assert.Single(exported);
        Assert.Equal(NormalizeResult.Ok, new SpanNormalizer().Normalize(new ActivitySpanView(span), out var call, out _));
        Assert.Equal("chat", call.Operation);
        Assert.Equal("openai", call.Provider);
        Assert.Equal("gpt-4o", call.Model);
        Assert.Equal(new TokenParts(UncachedInput: 200, CacheRead: 1000, CacheWrite: 0, Output: 250, Reasoning: 50), call.Parts);
        Assert.Equal("conv-7", call.ConversationId);
        Assert.Equal(0.00475m, CostCalculator.Calculate(call, Gpt4o).Total); // 0.0005 + 0.00125 + 0.0025 + 0.0005
    }

    [Fact]
    public async Task Agent_task_rolls_up_every_call_under_its_root()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using (var tracing = BuildTracing(sink, out _))
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
            await AgentScenario.RunTaskAsync(chat, provider, tenant: "acme", useCase: "research");
            await AgentScenario.RunSingleShotAsync(chat, provider, tenant: "acme", useCase: "research");
        }

        var task = Assert.Single(sink.Tasks);
        Assert.Equal(14_500, task.Tokens);       // 2,000 + 3 × 1,500 + 5,000 + 3,000
        Assert.Equal(6, task.ModelCalls);
        Assert.Equal(3, task.ToolCalls);
        Assert.Equal(1, task.FailedCalls);
        // input 1,500 + 3 × 1,200 + 4,000 + 2,000 = 11,100 × 2.50 = 27,750
        // output 500 + 3 × 300 + 1,000 + 1,000 = 3,400 × 10 = 34,000 → 61,750 / 1e6
        Assert.Equal(0.06175m, task.CostUsd);
        Assert.Equal(("researcher", "acme", "research", "ok"), (task.Agent, task.TenantLabel, task.UseCase, task.Outcome));
        Assert.False(task.ClosedByTimeout);

        var singleShots = sink.Calls.Where(c => c.IsSingleShot).ToList();
        var single = Assert.Single(singleShots);
        Assert.Equal(0.015m, single.Cost.Total);  // 2,000 × 2.50 + 1,000 × 10 = 15,000 / 1e6
        Assert.Equal(7, sink.Calls.Count);         // 6 in the task + 1 single shot, each priced once
        Assert.Equal(0.06175m / 0.015m, task.CostUsd / single.Cost.Total); // the agent multiplier, 4.1166…
    }

    [Fact]
    public async Task Agent_span_with_token_totals_is_not_counted_twice()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using (var tracing = BuildTracing(sink, out _))
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();

            // A traced agent that also reports its totals: only the inner call is priced.
            using (var traced = AgentScenario.Source.StartActivity("invoke_agent inner"))
            {
                traced!.SetTag("gen_ai.operation.name", "invoke_agent").SetTag("gen_ai.request.model", "gpt-4o")
                    .SetTag("gen_ai.usage.input_tokens", 1000).SetTag("gen_ai.usage.output_tokens", 100);
                provider.Then(1000, 100);
                await chat.GetResponseAsync("q");
            }

            // A remote agent whose inside is not traced: priced from its own totals.
            using (var remote = AgentScenario.Source.StartActivity("invoke_agent remote"))
            {
                remote!.SetTag("gen_ai.operation.name", "invoke_agent").SetTag("gen_ai.request.model", "gpt-4o")
                    .SetTag("gen_ai.usage.input_tokens", 2000).SetTag("gen_ai.usage.output_tokens", 200);
            }
        }

        var tasks = sink.Tasks.ToList();
        Assert.Equal(2, tasks.Count);
        Assert.Equal(0.0035m, tasks[0].CostUsd);  // 1,000 × 2.5 + 100 × 10 = 3,500 / 1e6, once
        Assert.Equal(1, tasks[0].ModelCalls);
        Assert.Equal(0.007m, tasks[1].CostUsd);   // 2,000 × 2.5 + 200 × 10 = 7,000 / 1e6
        Assert.Equal(1, tasks[1].ModelCalls);
        Assert.Equal(0.0105m, sink.Calls.Sum(c => c.Cost.Total));
    }

    [Fact]
    public async Task Budget_middleware_stops_a_looping_agent()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o") { Default = ScriptedChatClient.Usage(800, 200) };
        var events = new List<BudgetExceeded>();
        int completed = 0;
        Exception? stopped = null;
        using (var tracing = BuildTracing(sink, out var engine, o => o.Budgets.MaxTokensPerTask = 3_500))
        {
            engine.BudgetExceeded += (_, e) => events.Add(e);
            using var chat = provider.AsBuilder().UseUnitEconomicsBudget(engine).UseOpenTelemetry().Build();
            using var root = AgentScenario.Source.StartActivity("invoke_agent looper");
            root!.SetTag("gen_ai.operation.name", "invoke_agent").SetTag("gen_ai.agent.name", "looper");
            try
            {
                for (var i = 0; i < 100; i++)
                {
                    await chat.GetResponseAsync("again");
                    completed++;
                }
            }
            catch (BudgetExceededException ex)
            {
                stopped = ex;
            }
        }

        // 1,000 tokens a call: after the 4th call the task has 4,000 > 3,500; the 5th is refused.
        Assert.Equal(4, completed);
        Assert.Equal(4, provider.Calls);
        var ex2 = Assert.IsType<BudgetExceededException>(stopped);
        Assert.Equal(BudgetScope.Task, ex2.Scope);
        var e = Assert.Single(events);
        Assert.Equal(4_000m, e.Used);
        Assert.Equal(3_500m, e.Limit);
        Assert.Single(sink.Budgets);
        Assert.Equal("budget_exceeded", Assert.Single(sink.Tasks).Outcome);
    }

    [Fact]
    public void Host_never_sees_an_exception_and_rejections_are_counted()
    {
        var sink = new RecordingSink();
        using (var tracing = BuildTracing(sink, out _))
        {
            using var bad = AgentScenario.Source.StartActivity("chat broken");
            bad!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.usage.input_tokens", -5);
        }

        Assert.Equal(RejectReason.TokenNegative, Assert.Single(sink.Rejected));
        Assert.Empty(sink.Calls);
    }

    [Fact]
    public void Unknown_model_is_counted_unpriced()
    {
        var sink = new RecordingSink();
        using (var tracing = BuildTracing(sink, out _))
        {
            using var span = AgentScenario.Source.StartActivity("chat mystery");
            span!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.provider.name", "acme-ai").SetTag("gen_ai.request.model", "mystery-1")
                .SetTag("gen_ai.usage.input_tokens", 10);
        }

        var unpriced = Assert.Single(sink.Unpriced);
        Assert.Equal(("acme-ai", "mystery-1"), (unpriced.Provider, unpriced.Model));
        Assert.Empty(sink.Calls);
    }

    [Fact]
    public void Baggage_is_copied_onto_spans_at_start()
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(AgentScenario.SourceName).AddUnitEconomics(o => o.UseDefaultCatalog = false)
            .AddInMemoryExporter(exported).Build())
        {
            using var parent = AgentScenario.Source.StartActivity("request");
            parent!.AddBaggage("tenant.id", "globex");
            using var child = AgentScenario.Source.StartActivity("chat");
        }

        // The child started under the baggage carries it as a tag, so it travels over OTLP too.
        Assert.Equal("globex", exported.Single(a => a.DisplayName == "chat").GetTagItem("tenant.id"));
    }

    [Fact]
    public void OpenTelemetry_baggage_is_copied_onto_spans_too_and_a_tag_the_app_set_wins()
    {
        var exported = new List<Activity>();
        var previous = Baggage.Current;
        try
        {
            using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(AgentScenario.SourceName).AddUnitEconomics(o => o.UseDefaultCatalog = false)
                .AddInMemoryExporter(exported).Build())
            {
                // What OpenTelemetry's W3C baggage propagator (and Baggage.SetBaggage) fills, rather than Activity.Baggage.
                Baggage.SetBaggage("tenant.id", "initech");
                Baggage.SetBaggage("ai.use_case", "search");
                using var chat = AgentScenario.Source.StartActivity("chat");
                using var tagged = AgentScenario.Source.StartActivity("chat tagged", ActivityKind.Internal, default(ActivityContext), [new("tenant.id", "umbrella")]);
            }
        }
        finally
        {
            Baggage.Current = previous;
        }

        var chatSpan = exported.Single(a => a.DisplayName == "chat");
        Assert.Equal(("initech", "search"), (chatSpan.GetTagItem("tenant.id"), chatSpan.GetTagItem("ai.use_case")));
        Assert.Equal("umbrella", exported.Single(a => a.DisplayName == "chat tagged").GetTagItem("tenant.id"));
    }

    internal static TracerProvider BuildTracing(ICostSink sink, out CostEngine engine, Action<UnitEconomicsOptions>? configure = null, params ModelPrice[] prices)
    {
        CostEngine? captured = null;
        var catalog = new PriceCatalog(prices.Length > 0 ? prices : [Gpt4o]);
        var provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(AgentScenario.SourceName, "*Microsoft.Extensions.AI*")
            .ConfigureServices(s =>
            {
                s.AddSingleton(sink);
                s.AddSingleton(new PriceCatalogSource(catalog));
                s.AddSingleton(new TenantDirectorySource(TenantDirectory.Empty));
            })
            .AddUnitEconomics(o =>
            {
                o.UseDefaultCatalog = false;
                configure?.Invoke(o);
            })
            .AddProcessor(sp => new CaptureEngine(sp.GetRequiredService<CostEngine>(), e => captured = e))
            .Build()!;
        engine = captured!;
        return provider;
    }

    /// <summary>Hands the test the engine the provider built (the processor is internal).</summary>
    private sealed class CaptureEngine : BaseProcessor<Activity>
    {
        public CaptureEngine(CostEngine engine, Action<CostEngine> capture) => capture(engine);
    }
}
