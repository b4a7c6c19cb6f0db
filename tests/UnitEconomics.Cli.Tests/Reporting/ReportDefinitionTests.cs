using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Tests.Support;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

/// <summary>
/// The report's definitions on spans whose figures are worked out by hand: cache hit rate over lookups
/// only, prompt-cache read share, unpriced calls counted and not costed, savings that never overlap.
/// </summary>
[Collection(InProcessDemoCollection.Name)]
public sealed class ReportDefinitionTests
{
    private static readonly DateTime From = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly PriceCatalog Catalog = new(
    [
        new ModelPrice { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10m } },
        new ModelPrice { Id = "text-embedding-3-small", Provider = "openai", Standard = new PriceSet { Input = 0.02m } },
    ]);

    [Fact]
    public void Cache_hit_rate_is_hits_over_lookups_and_prompt_cache_share_is_reads_over_input()
    {
        var report = Run(source =>
        {
            // search: four lookups of the app's semantic cache (one hit), an embedding before each, and
            // two completions after misses that carry no ai.cache.hit (cache="none": not lookups).
            foreach (var hit in new[] { true, false, false, false })
            {
                Span(source, "embeddings", ("gen_ai.operation.name", "embeddings"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "text-embedding-3-small"), ("gen_ai.usage.input_tokens", 50L), ("ai.use_case", "search"));
                Span(source, "semantic_cache lookup", ("ai.cache.hit", hit), ("ai.use_case", "search"));
            }

            Chat(source, "search", input: 1_000, cacheRead: 0, output: 100);
            Chat(source, "search", input: 1_000, cacheRead: 0, output: 100);

            // generation: 2,000 input tokens of which 600 were read from the provider's prompt cache.
            Chat(source, "generation", input: 1_000, cacheRead: 600, output: 100);
            Chat(source, "generation", input: 1_000, cacheRead: 0, output: 100);

            // a model nobody priced: counted, not costed
            Span(source, "chat preview", ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "acme-ai"), ("gen_ai.request.model", "acme-llm-preview"),
                ("gen_ai.usage.input_tokens", 10L), ("gen_ai.usage.output_tokens", 10L), ("ai.use_case", "search"));
        });

        var search = report.UseCases.Single(u => u.UseCase == "search");
        Assert.Equal((4L, 1L), (search.CacheLookups, search.CacheHits));
        Assert.Equal(0.25, search.CacheHitRate);                  // 1 hit ÷ 4 lookups; the 4 embeddings and 2 chats are not lookups
        Assert.Equal(4 + 4 + 2, search.Calls);                     // embeddings, lookups, completions (priced calls)
        Assert.Equal(1, search.UnpricedCalls);

        var generation = report.UseCases.Single(u => u.UseCase == "generation");
        Assert.Null(generation.CacheHitRate);                      // no lookups: no rate, not 0 %
        Assert.Equal(0.3, generation.PromptCacheReadShare);        // 600 ÷ (1,000 + 1,000)

        // gpt-4o: generation 400 × 2.50 + 600 × 1.25 + 100 × 10 = 2,750 → 0.00275; 1,000 × 2.50 + 100 × 10 = 3,500 → 0.0035;
        // search twice 0.0035. Embeddings: 4 × 50 × 0.02 / 1e6 = 0.000004. Total 0.01325 + 0.000004.
        Assert.Equal(0.013254m, report.TotalCost);
        Assert.Equal(1, report.UnpricedCalls);
        var preview = report.Models.Single(m => m.Model == "acme-llm-preview");
        Assert.Equal((null, 0L, 1L), (preview.Cost, preview.Calls, preview.UnpricedCalls));
        var lookups = report.Models.Single(m => m.Provider == CostRollup.CacheLookupKey.Provider);
        Assert.Equal((0m, 4L), (lookups.Cost, lookups.Calls));
        Assert.DoesNotContain(report.Models, m => m.Provider == "unknown"); // cache lookups are labelled, not "unknown unknown"
    }

    [Fact]
    public void Savings_apply_in_order_and_never_exceed_the_use_case_cost()
    {
        // X (4.00 / 8.00 per million, batch 2.00 / 4.00) and its cheaper sibling Y (1.00 / 2.00), one provider.
        var catalog = new PriceCatalog(
        [
            new ModelPrice { Id = "x-large", Provider = "p", Standard = new PriceSet { Input = 4m, Output = 8m }, Batch = new PriceSet { Input = 2m, Output = 4m } },
            new ModelPrice { Id = "y-mini", Provider = "p", Standard = new PriceSet { Input = 1m, Output = 2m } },
        ]);
        var inputs = Inputs(days: 30);
        // "a" runs a semantic cache: 1 hit in 4 lookups → 25 % of requests repeat.
        inputs.UseCases["a"] = new UsageTotals { Cost = 1m, Calls = 4, CacheLookups = 4, CacheHits = 1 };
        // "b": no cache; 2,500,000 input tokens on x-large = 10.00, of which the simple calls are 1,000,000 = 4.00.
        var b = new UsageTotals { Cost = 10m, Calls = 100, InputTokens = 2_500_000, Simple = new UsageTotals { Cost = 4m, Calls = 40, InputTokens = 1_000_000 } };
        inputs.UseCases["b"] = b.Clone();
        inputs.UseCaseModels[("b", "p", "x-large")] = b;
        var options = new ReportOptions { RoutingCandidates = ["y-mini"], BatchableUseCases = ["b"] };

        var savings = ReportBuilder.Build(inputs, catalog, options).Savings.Where(s => s.UseCase == "b").ToList();

        Assert.Equal(["semantic caching", "model routing", "batch processing"], savings.Select(s => s.Lever));
        // caching: 10.00 × 25 % = 2.50, leaving 7.50
        Assert.Equal((10m, 2.5m), (savings[0].BaseCost, savings[0].EstimatedSaving));
        // routing: the simple calls cost 4.00 on x-large and 1.00 on y-mini: 3.00 of 10.00, on the 7.50 left = 2.25, leaving 5.25
        Assert.Equal((7.5m, 2.25m), (savings[1].BaseCost, savings[1].EstimatedSaving));
        // batch: x-large at batch prices costs 5.00 instead of 10.00 (half), on the 5.25 left = 2.625
        Assert.Equal((5.25m, 2.625m), (savings[2].BaseCost, savings[2].EstimatedSaving));
        Assert.Equal(7.375m, savings.Sum(s => s.EstimatedSaving));   // ≤ 10.00
        Assert.Contains("25", savings[0].Assumption!, StringComparison.Ordinal); // says what the rate rests on
    }

    [Fact]
    public async Task On_the_demo_no_use_case_saves_more_than_it_costs()
    {
        var settings = new Simulation.DemoSettings { Days = 7, Seed = 11 };
        await using var demo = Simulation.DemoEnvironment.Create(settings);
        await demo.RunAsync();
        var report = demo.Report(settings.StartUtc, settings.StartUtc.AddDays(7), "test");
        Assert.NotEmpty(report.Savings);
        foreach (var useCase in report.UseCases)
        {
            Assert.True(report.Savings.Where(s => s.UseCase == useCase.UseCase).Sum(s => s.EstimatedSaving) <= useCase.Cost, useCase.UseCase);
        }
    }

    [Fact]
    public void Realised_savings_by_hand()
    {
        var inputs = Inputs(days: 30);
        // prompt caching: 600,000 cache-read tokens of gpt-4o saved 2.50 − 1.25 per million = 0.75
        inputs.UseCaseModels[("gen", "openai", "gpt-4o")] = new UsageTotals { Cost = 1m, Calls = 10, CacheReadTokens = 600_000 };
        // semantic caching: "search" cost 1.00 over 4 misses (5 lookups, 1 hit) = 0.25 a miss; 1 hit saved 0.25
        inputs.UseCases["search"] = new UsageTotals { Cost = 1m, Calls = 5, CacheLookups = 5, CacheHits = 1 };
        inputs.UseCaseModels[("search", "openai", "gpt-4o")] = new UsageTotals { Cost = 1m, Calls = 5 };
        // batch: 1,000,000 input tokens through the batch API cost 1.25 where list price is 2.50
        inputs.UseCaseModels[("nightly", "openai", "gpt-4o")] = new UsageTotals
        {
            Cost = 1.25m, Calls = 10, InputTokens = 1_000_000, Batch = new UsageTotals { Cost = 1.25m, Calls = 10, InputTokens = 1_000_000 },
        };

        var realised = ReportBuilder.Build(inputs, Catalog).RealisedSavings;

        Assert.Equal(0.75m, Assert.Single(realised, r => r.Lever == "prompt caching").Saving);
        Assert.Equal(0.25m, Assert.Single(realised, r => r.Lever == "semantic caching").Saving);
        Assert.Equal(1.25m, Assert.Single(realised, r => r.Lever == "batch processing").Saving);
    }

    [Fact]
    public void A_window_shorter_than_a_week_has_no_monthly_figures()
    {
        var inputs = Inputs(days: 1);
        inputs.Tenants["p1"] = new TenantTotals { Tier = "pro", Cost = 5m, Calls = 10 };
        var report = ReportBuilder.Build(inputs, PriceCatalog.Empty);
        Assert.False(report.MonthlyFigures);
        var pro = report.Tiers.Single(t => t.Tier == "pro");
        Assert.Equal((5m, (decimal?)null, (decimal?)null), (pro.AiCost, pro.CostPerCustomerPerMonth, pro.MarginPerCustomerPerMonth));
        Assert.Null(report.AllTenants.Single().CostPerMonth);
        Assert.DoesNotContain(report.RedFlags, f => f.Alert == "AINegativeGrossMargin"); // not extrapolated from a day
    }

    private static ReportInputs Inputs(int days) => new()
    {
        FromUtc = From,
        ToUtc = From.AddDays(days),
        Source = "test",
        Directory = new TenantDirectory([new TierInfo("pro", 29m, false, 0m)], [new TenantInfo("p1", "pro", 29m, 1)]),
    };

    /// <summary>Runs <paramref name="emit"/>'s spans through the real SDK and the engine into the rollup, and reports on them.</summary>
    private static UnitEconomicsReport Run(Action<ActivitySource> emit)
    {
        using var source = new ActivitySource("report-definition-tests-" + Guid.NewGuid().ToString("N"));
        var rollup = new CostRollup();
        var engine = new CostEngine(new UnitEconomicsOptions { InlinePricing = true }, () => Catalog, () => TenantDirectory.Empty, [rollup]);
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(source.Name).AddUnitEconomics(engine).Build()!)
        {
            emit(source);
            tracing.ForceFlush();
        }

        return ReportBuilder.Build(ReportInputs.FromRollup(rollup, TenantDirectory.Empty, From, From.AddDays(30), "test"), Catalog);
    }

    private static void Chat(ActivitySource source, string useCase, long input, long cacheRead, long output) =>
        Span(source, "chat gpt-4o", ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"),
            ("gen_ai.usage.input_tokens", input), ("gen_ai.usage.cache_read.input_tokens", cacheRead), ("gen_ai.usage.output_tokens", output), ("ai.use_case", useCase));

    private static void Span(ActivitySource source, string name, params (string Key, object Value)[] tags)
    {
        using var span = source.StartActivity(name)!;
        foreach (var (key, value) in tags)
        {
            span.SetTag(key, value);
        }
    }
}
