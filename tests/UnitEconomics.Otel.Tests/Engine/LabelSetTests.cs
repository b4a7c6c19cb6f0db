using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;
using UnitEconomics.Otel.Tests.Processing;

namespace UnitEconomics.Otel.Tests.Engine;

/// <summary>The handles the engine resolves per label set and tenant, on which sinks keep their series.</summary>
public sealed class LabelSetTests
{
    [Fact]
    public void Equal_labels_of_other_string_instances_find_the_same_set()
    {
        var table = new CallLabelSetTable();
        var first = table.Get("openai", "gpt-4o", "chat", "support", "pro", CacheLookup.None);
        var again = table.Get(Copy("openai"), Copy("gpt-4o"), Copy("chat"), Copy("support"), Copy("pro"), CacheLookup.None);
        Assert.Same(first, again);
        Assert.Equal(("openai", "gpt-4o", "chat", "support", "pro", CacheLookup.None, "none"), (again.Provider, again.Model, again.Operation, again.UseCase, again.Tier, again.Cache, again.CacheLabel));

        // Each label on its own makes another set.
        CallLabelSet[] others =
        [
            table.Get("azure.ai.openai", "gpt-4o", "chat", "support", "pro", CacheLookup.None),
            table.Get("openai", "gpt-4o-mini", "chat", "support", "pro", CacheLookup.None),
            table.Get("openai", "gpt-4o", "embeddings", "support", "pro", CacheLookup.None),
            table.Get("openai", "gpt-4o", "chat", "search", "pro", CacheLookup.None),
            table.Get("openai", "gpt-4o", "chat", "support", "free", CacheLookup.None),
            table.Get("openai", "gpt-4o", "chat", "support", "pro", CacheLookup.Hit),
            table.Get("openai", "gpt-4o", "chat", "support", "pro", CacheLookup.Miss),
        ];
        Assert.Equal(8, others.Append(first).Distinct().Count());
        Assert.Equal(8, table.Count);
        Assert.Equal(["hit", "miss"], [others[5].CacheLabel, others[6].CacheLabel]);
    }

    [Fact]
    public void Every_set_is_found_again_after_the_table_grows()
    {
        var table = new CallLabelSetTable();
        var sets = Enumerable.Range(0, 5_000).Select(i => table.Get("openai", $"model-{i}", "chat", $"uc-{i % 7}", "pro", (CacheLookup)(i % 3))).ToArray();
        Assert.Equal(5_000, sets.Distinct().Count());
        for (var i = 0; i < sets.Length; i++)
        {
            Assert.Same(sets[i], table.Get("openai", $"model-{i}", "chat", $"uc-{i % 7}", "pro", (CacheLookup)(i % 3)));
        }
    }

    [Fact]
    public void Past_its_bound_the_table_hands_out_unshared_sets_with_the_right_labels()
    {
        var table = new CallLabelSetTable(maxEntries: 2);
        var a = table.Get("openai", "a", "chat", "x", "pro", CacheLookup.None);
        var b = table.Get("openai", "b", "chat", "x", "pro", CacheLookup.None);
        var c1 = table.Get("openai", "c", "chat", "x", "pro", CacheLookup.None);
        var c2 = table.Get("openai", "c", "chat", "x", "pro", CacheLookup.None);
        Assert.NotSame(c1, c2);
        Assert.Equal(("c", "c"), (c1.Model, c2.Model));
        Assert.Same(a, table.Get("openai", "a", "chat", "x", "pro", CacheLookup.None));
        Assert.Same(b, table.Get("openai", "b", "chat", "x", "pro", CacheLookup.None));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public async Task The_first_state_attached_wins_for_every_caller()
    {
        var set = new CallLabelSet("openai", "gpt-4o", "chat", "support", "pro", CacheLookup.None);
        var owner = new object();
        var other = new object();
        Assert.Null(set.Series.StateOf<string>(owner));

        // 8 threads race to attach their own state; all must come back with the same one.
        using var start = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            start.Wait();
            return set.Series.Attach(owner, $"state-{i}");
        })).ToArray();
        start.Set();
        var won = await Task.WhenAll(racers);
        Assert.Single(won.Distinct());
        Assert.Same(won[0], set.Series.StateOf<string>(owner));
        Assert.Null(set.Series.StateOf<string>(other));
        Assert.Equal("mine", set.Series.Attach(other, "mine"));
        Assert.Same(won[0], set.Series.StateOf<string>(owner));
    }

    [Fact]
    public void A_tenant_keeps_its_handle_until_the_directory_is_reloaded()
    {
        var labels = new TenantLabels(cap: 10);
        var v1 = Directory("acme: { tier: pro }");
        var v2 = Directory("acme: { tier: free }");

        var first = labels.Resolve("acme", v1, out var overflowed);
        Assert.False(overflowed);
        Assert.Same(first, labels.Resolve(Copy("acme"), v1, out _));
        Assert.Equal(("acme", "pro"), (first.Tenant, first.Tier));

        var reloaded = labels.Resolve("acme", v2, out _);
        Assert.NotSame(first, reloaded);
        Assert.Equal(("acme", "free"), (reloaded.Tenant, reloaded.Tier));
        Assert.Same(reloaded, labels.Resolve("acme", v2, out _));
        Assert.Equal(1, labels.Count);
    }

    [Fact]
    public void Tenants_past_the_cap_share_one_other_handle_per_tier()
    {
        var directory = Directory("a: { tier: pro }\n  b: { tier: pro }\n  c: { tier: free }");
        var labels = new TenantLabels(cap: 1);
        Assert.Equal("a", labels.Resolve("a", directory, out _).Tenant);
        var b = labels.Resolve("b", directory, out var bOverflowed);
        var c = labels.Resolve("c", directory, out var cOverflowed);
        var unlisted = labels.Resolve("zed", directory, out _);
        Assert.True(bOverflowed && cOverflowed);
        Assert.Equal((TenantLabels.Other, "pro"), (b.Tenant, b.Tier));
        Assert.Equal((TenantLabels.Other, "free"), (c.Tenant, c.Tier));
        Assert.Equal((TenantLabels.Other, TenantDirectory.UnknownTier), (unlisted.Tenant, unlisted.Tier));
        Assert.Same(unlisted, labels.Resolve("zed-2", directory, out _));
        Assert.Same(c, labels.Resolve("c", directory, out _));
        Assert.Equal(1, labels.Count);
    }

    [Fact]
    public void A_cached_price_ranking_follows_the_catalog_and_the_call_time()
    {
        // Two calls with the same labels, before and after an effective date; then the catalog is replaced.
        var june = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var before = ProcessorTests.Gpt4o with { EffectiveTo = june };
        var after = ProcessorTests.Gpt4o with { Standard = new PriceSet { Input = 2.00m, Output = 8.00m }, EffectiveFrom = june };
        var catalog = new PriceCatalog([before, after]);
        var sink = new RecordingSink();
        var engine = new CostEngine(new UnitEconomicsOptions(), () => catalog, () => TenantDirectory.Empty, [sink]);
        (string, object?)[] tags = [("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 1000), ("gen_ai.usage.output_tokens", 200)];

        engine.OnEnded(TestSpans.Ended("chat", new DateTime(2026, 5, 31, 12, 0, 0, DateTimeKind.Utc), tags));
        engine.OnEnded(TestSpans.Ended("chat", new DateTime(2026, 6, 2, 12, 0, 0, DateTimeKind.Utc), tags));
        catalog = new PriceCatalog([ProcessorTests.Gpt4o with { Standard = new PriceSet { Input = 1.00m, Output = 4.00m } }]);
        engine.OnEnded(TestSpans.Ended("chat", new DateTime(2026, 6, 3, 12, 0, 0, DateTimeKind.Utc), tags));

        // 1,000 × 2.50 + 200 × 10 = 4,500 → 0.0045; 1,000 × 2 + 200 × 8 = 3,600 → 0.0036; 1,000 × 1 + 200 × 4 = 1,800 → 0.0018
        Assert.Equal([0.0045m, 0.0036m, 0.0018m], sink.Calls.Select(c => c.Cost.Total));
    }

    private static TenantDirectory Directory(string tenants) => TenantDirectory.Parse(
        "tiers:\n  pro: { revenue_per_customer_per_month: 20 }\n  free: { revenue_per_customer_per_month: 0 }\ntenants:\n  " + tenants + "\n", "tenants.yaml");

    private static string Copy(string s) => new(s.AsSpan());
}
