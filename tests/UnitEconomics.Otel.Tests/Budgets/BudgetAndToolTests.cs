using System.Diagnostics;
using Microsoft.Extensions.AI;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;
using UnitEconomics.Otel.Tests.Processing;

namespace UnitEconomics.Otel.Tests.Budgets;

[Collection("activity-listeners")]
public sealed class BudgetAndToolTests
{
    private static readonly ModelPrice Gpt4o = ProcessorTests.Gpt4o;

    [Fact]
    public void Session_budget_is_crossed_once_and_reported_with_its_figures()
    {
        var sink = new RecordingSink();
        var engine = Engine(sink, new UnitEconomicsOptions { Budgets = { MaxTokensPerSession = 2_500 } });
        var events = new List<BudgetExceeded>();
        engine.BudgetExceeded += (_, e) => events.Add(e);
        for (var i = 0; i < 4; i++)
        {
            End(engine, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 1000), ("gen_ai.conversation.id", "conv-1"));
        }

        End(engine, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 1000), ("gen_ai.conversation.id", "conv-2"));

        // 1,000 + 1,000 + 1,000 = 3,000 > 2,500 on the third call; the fourth is already over; conv-2 is under
        var e = Assert.Single(events);
        Assert.Equal((BudgetScope.Session, "conv-1", 2_500m, 3_000m), (e.Scope, e.Key, e.Limit, e.Used));
        Assert.Equal(events, sink.Budgets);
        Assert.True(engine.Budgets.IsSessionOverBudget("conv-1", out var used));
        Assert.Equal(4_000m, used);
        Assert.False(engine.Budgets.IsSessionOverBudget("conv-2", out _));
    }

    [Fact]
    public void Tenant_monthly_budget_resets_with_the_month()
    {
        var sink = new RecordingSink();
        var engine = Engine(sink, new UnitEconomicsOptions { Budgets = { MaxUsdPerTenantPerMonth = 0.01m } });
        var october = new DateTime(2026, 10, 31, 23, 0, 0, DateTimeKind.Utc);
        var november = new DateTime(2026, 11, 1, 1, 0, 0, DateTimeKind.Utc);

        // each call: 2,000 × 2.50 / 1e6 = 0.005 USD; the third in October makes 0.015 > 0.01
        for (var i = 0; i < 3; i++)
        {
            End(engine, october, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 2000), ("tenant.id", "acme"));
        }

        Assert.True(engine.Budgets.IsTenantOverBudget("acme", october, out _));
        End(engine, november, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 2000), ("tenant.id", "acme"));

        var e = Assert.Single(sink.Budgets);
        Assert.Equal((BudgetScope.Tenant, "acme", 0.015m), (e.Scope, e.Key, e.Used));
        Assert.False(engine.Budgets.IsTenantOverBudget("acme", november, out var novemberSpend));
        Assert.Equal(0.005m, novemberSpend);
    }

    [Fact]
    public async Task Budget_middleware_refuses_the_next_call_of_a_spent_session()
    {
        var sink = new RecordingSink();
        var provider = new ScriptedChatClient("openai", "gpt-4o") { Default = ScriptedChatClient.Usage(900, 100) };
        using var tracing = ProcessorTests.BuildTracing(sink, out var engine, o => o.Budgets.MaxTokensPerSession = 2_500);
        using var chat = provider.AsBuilder().UseUnitEconomicsBudget(engine).UseOpenTelemetry().Build();
        var options = new ChatOptions { ConversationId = "conv-9" };
        for (var i = 0; i < 3; i++)
        {
            await chat.GetResponseAsync("hi", options);   // 1,000 tokens each: 3,000 > 2,500 after the third
        }

        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => chat.GetResponseAsync("hi", options));
        Assert.Equal((BudgetScope.Session, "conv-9"), (refused.Scope, refused.Key));
        Assert.Equal(3, provider.Calls);
        await chat.GetResponseAsync("hi", new ChatOptions { ConversationId = "conv-10" }); // another session goes on
    }

    [Fact]
    public void Tools_are_priced_per_call_by_name_and_free_otherwise()
    {
        var sink = new RecordingSink();
        var search = new ModelPrice { Id = "web_search", Standard = new PriceSet { PerCall = 0.01m } };
        var vectors = new ModelPrice { Id = "vector-search", Standard = new PriceSet { PerCall = 0.0015m } };
        var engine = Engine(sink, new UnitEconomicsOptions(), search, vectors);
        End(engine, ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "web_search"));
        End(engine, ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "calculator"));
        End(engine, ("gen_ai.operation.name", "retrieval"), ("gen_ai.request.model", "vector-search"));

        Assert.Equal([0.01m, 0.0015m], sink.Calls.Select(c => c.Cost.Total));
        Assert.Equal(["execute_tool", "retrieval"], sink.Calls.Select(c => c.Call.Operation));
        Assert.Empty(sink.Unpriced); // a free tool is not an unpriced model
    }

    [Fact]
    public void A_reloaded_tenant_directory_moves_a_known_tenant_to_its_new_tier_and_the_cap_still_folds_newcomers()
    {
        var sink = new RecordingSink();
        var free = new TenantDirectory([new TierInfo("free", 0m, true, 0m)], [new TenantInfo("acme", "free", 0m, 1)]);
        var pro = new TenantDirectory([new TierInfo("pro", 49m, false, 0m)], [new TenantInfo("acme", "pro", 49m, 1)]);
        var current = free;
        var catalog = new PriceCatalog([Gpt4o]);
        var engine = new CostEngine(new UnitEconomicsOptions { MaxTenants = 1 }, () => catalog, () => current, [sink]);
        (string, object)[] Chat(string tenant) => [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 10), ("tenant.id", tenant)];

        End(engine, Chat("acme"));
        current = pro;
        End(engine, Chat("acme"));
        End(engine, Chat("globex")); // past the cap of one tenant

        Assert.Equal(["free", "pro", "unknown"], sink.Calls.Select(c => c.Tier));
        Assert.Equal(["acme", "acme", "__other__"], sink.Calls.Select(c => c.TenantLabel));
        Assert.Equal(1, sink.Overflows);
    }

    private static CostEngine Engine(ICostSink sink, UnitEconomicsOptions options, params ModelPrice[] extra)
    {
        var catalog = new PriceCatalog([Gpt4o, .. extra]);
        return new CostEngine(options, () => catalog, () => TenantDirectory.Empty, [sink]);
    }

    private static void End(CostEngine engine, params (string Key, object Value)[] tags) => End(engine, TestSpans.End, tags);

    private static void End(CostEngine engine, DateTime endUtc, params (string Key, object Value)[] tags)
    {
        var span = TestSpans.Ended("span", endUtc, tags.Select(t => (t.Key, (object?)t.Value)).ToArray());
        engine.OnEnded(span);
    }
}
