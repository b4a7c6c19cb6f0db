using System.Diagnostics;
using Microsoft.Extensions.AI;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.TestSupport;
using Xunit;
using UnitEconomics.Otel.Tests.Processing;

namespace UnitEconomics.Otel.Tests.ChatClients;

/// <summary>
/// The budget middleware under concurrency: each call reserves its worst case before it is made, so
/// 200 calls in flight at once cannot all pass a budget that has room for 10. Each call here reports
/// 0 input and 1,000 output tokens with MaxOutputTokens = 1,000, so its reservation is its real cost:
/// gpt-4o output at $10 per million, 1,000 × 10 / 1e6 = $0.01 a call.
/// </summary>
[Collection("activity-listeners")]
public sealed class BudgetReservationTests
{
    private const int Concurrent = 200;

    [Theory]
    [InlineData("0.10", 10, "0.10")]   // ten calls' worth: exactly ten pass, spend exactly the budget
    [InlineData("0.095", 10, "0.10")]  // nine and a half: the tenth passes on 0.09 < 0.095, over by half a reservation
    public async Task Concurrent_calls_pass_a_tenant_budget_by_at_most_one_reservation(string budget, int expectedCalls, string expectedSpend)
    {
        var sink = new RecordingSink();
        using var tracing = ProcessorTests.BuildTracing(sink, out var engine, o => o.Budgets.MaxUsdPerTenantPerMonth = decimal.Parse(budget, System.Globalization.CultureInfo.InvariantCulture));
        var (passed, refused, provider) = await RunConcurrentAsync(engine, root: null);

        Assert.Equal(expectedCalls, passed);
        Assert.Equal(Concurrent - expectedCalls, refused.Count);
        Assert.Equal(expectedCalls, provider.Calls);
        Assert.All(refused, e => Assert.Equal((BudgetScope.Tenant, "acme"), (e.Scope, e.Key)));
        Assert.Equal(decimal.Parse(expectedSpend, System.Globalization.CultureInfo.InvariantCulture), sink.Calls.Sum(c => c.Cost.Total));
        engine.Budgets.IsTenantOverBudget("acme", DateTime.UtcNow, out var spent);
        Assert.Equal(decimal.Parse(expectedSpend, System.Globalization.CultureInfo.InvariantCulture), spent);
    }

    [Fact]
    public async Task Concurrent_calls_of_one_agent_task_hold_its_token_budget()
    {
        var sink = new RecordingSink();
        using var tracing = ProcessorTests.BuildTracing(sink, out var engine, o => o.Budgets.MaxTokensPerTask = 10_000);
        using var root = AgentScenario.Source.StartActivity("invoke_agent looper");
        Assert.NotNull(root);
        root.SetTag("gen_ai.operation.name", "invoke_agent");
        root.SetTag("gen_ai.agent.name", "looper");
        var (passed, refused, _) = await RunConcurrentAsync(engine, root);

        // 10,000 tokens of budget, 1,000 reserved and then spent per call: ten calls.
        Assert.Equal(10, passed);
        Assert.All(refused, e => Assert.Equal(BudgetScope.Task, e.Scope));
        Assert.Equal(10_000, sink.Calls.Sum(c => c.Call.TotalTokens));
    }

    [Fact]
    public async Task A_spent_tenant_budget_opens_again_at_the_utc_month_boundary()
    {
        var sink = new RecordingSink();
        using var tracing = ProcessorTests.BuildTracing(sink, out var engine, o => o.Budgets.MaxUsdPerTenantPerMonth = 0.01m);
        var clock = new ManualClock(new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero));
        var provider = new ScriptedChatClient("openai", "gpt-4o") { Default = ScriptedChatClient.Usage(0, 1_000) };
        using var chat = new ChatClientBuilder(provider).UseUnitEconomicsBudget(engine, clock).UseOpenTelemetry().Build();

        // October's spend: one call of $0.01 that ended at 23:30 UTC on the 31st.
        var october = TestSpans.Ended("chat", new DateTime(2026, 10, 31, 23, 30, 0, DateTimeKind.Utc),
            ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.output_tokens", 1_000), ("tenant.id", "acme"));
        engine.OnEnded(october);

        using (var request = AgentScenario.Source.StartActivity("request"))
        {
            request!.AddBaggage("tenant.id", "acme");
            var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => chat.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 1_000 }));
            Assert.Equal((BudgetScope.Tenant, 0.01m, 0.01m), (refused.Scope, refused.Limit, refused.Used));

            clock.Now = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero); // one second later: November
            await chat.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 1_000 });
        }

        Assert.Equal(1, provider.Calls);
    }

    /// <summary>200 calls at once for tenant acme (under <paramref name="root"/> when given), held in the provider until every one has passed or been refused.</summary>
    private static async Task<(int Passed, List<BudgetExceededException> Refused, ScriptedChatClient Provider)> RunConcurrentAsync(CostEngine engine, Activity? root)
    {
        var provider = new ScriptedChatClient("openai", "gpt-4o") { Default = ScriptedChatClient.Usage(0, 1_000) };
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var decided = 0;
        using var chat = new ChatClientBuilder(new GatedClient(provider, gate.Task, () => Interlocked.Increment(ref decided)))
            .UseUnitEconomicsBudget(engine).UseOpenTelemetry().Build();
        var refused = new List<BudgetExceededException>();
        var calls = Enumerable.Range(0, Concurrent).Select(_ => Task.Run(async () =>
        {
            using var request = root is null ? AgentScenario.Source.StartActivity("request") : null;
            request?.AddBaggage("tenant.id", "acme");
            try
            {
                await chat.GetResponseAsync("go", new ChatOptions { MaxOutputTokens = 1_000 });
                return true;
            }
            catch (BudgetExceededException e)
            {
                lock (refused)
                {
                    refused.Add(e);
                }

                Interlocked.Increment(ref decided);
                return false;
            }
        })).ToArray();

        // Every call has reached the provider or been refused before any completes.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref decided) < Concurrent && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(Concurrent, Volatile.Read(ref decided));
        gate.SetResult();
        var results = await Task.WhenAll(calls);
        return (results.Count(r => r), refused, provider);
    }

    /// <summary>Holds every call until the gate opens, after saying it arrived.</summary>
    private sealed class GatedClient(IChatClient inner, Task gate, Action arrived) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            arrived();
            await gate;
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => this.Now;
    }
}
