using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using Xunit;
using A = UnitEconomics.Otel.Spans.GenAiAttributes;

namespace UnitEconomics.Otel.Tests.Pricing;

/// <summary>Costs of DESIGN §3/§4, each computed by hand in the test (USD per million tokens).</summary>
public class CostCalculatorTests
{
    private static readonly ModelPrice Gpt4o = new()
    {
        Id = "gpt-4o",
        Provider = "openai",
        Standard = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10.00m },
        Batch = new PriceSet { Input = 1.25m, CachedInput = 1.25m, Output = 5.00m },
    };

    private static readonly ModelPrice ClaudeSonnet = new()
    {
        Id = "claude-sonnet-4",
        Provider = "anthropic",
        Standard = new PriceSet { Input = 3.00m, CacheWrite = 3.75m, CachedInput = 0.30m, Output = 15.00m },
    };

    private static readonly ModelPrice GeminiPro = new()
    {
        Id = "gemini-2.5-pro",
        Provider = "gcp.gemini",
        Standard = new PriceSet { Input = 1.25m, CachedInput = 0.31m, Output = 10.00m },
        Tiers = [new PriceTier(200_000, new PriceSet { Input = 2.50m, CachedInput = 0.625m, Output = 15.00m })],
    };

    [Fact]
    public void OpenAI_chat_with_cached_input_and_reasoning()
    {
        // 1,200 input of which 1,000 cached; 300 output of which 50 reasoning (no reasoning price: output price).
        var call = Call(input: 1200, cacheRead: 1000, output: 300, reasoning: 50);
        var cost = CostCalculator.Calculate(call, Gpt4o);
        Assert.Equal(0.0005m, cost.UncachedInput);   // 200 × 2.50 / 1e6
        Assert.Equal(0.00125m, cost.CacheRead);      // 1,000 × 1.25 / 1e6
        Assert.Equal(0.0025m, cost.Output);          // 250 × 10 / 1e6
        Assert.Equal(0.0005m, cost.Reasoning);       // 50 × 10 / 1e6
        Assert.Equal(0.00475m, cost.Total);
        Assert.Equal(CostSource.Estimated, cost.Source);
    }

    [Fact]
    public void Reasoning_has_its_own_price_when_the_catalog_gives_one()
    {
        var o3 = new ModelPrice { Id = "o-test", Standard = new PriceSet { Input = 2m, Output = 8m, Reasoning = 12m } };
        var cost = CostCalculator.Calculate(Call(input: 1000, output: 500, reasoning: 400), o3);
        // 1,000 × 2 = 2,000; 100 × 8 = 800; 400 × 12 = 4,800 → 7,600 / 1e6
        Assert.Equal(0.0076m, cost.Total);
    }

    [Fact]
    public void Anthropic_cache_write_with_exclusive_counts()
    {
        // The producer reports input 100 beside cache read 5,000 and cache write 1,000 (exclusive counts).
        var call = Call(input: 100, cacheRead: 5000, cacheWrite: 1000, output: 500);
        var cost = CostCalculator.Calculate(call, ClaudeSonnet);
        Assert.Equal(0.0003m, cost.UncachedInput);  // 100 × 3.00 / 1e6
        Assert.Equal(0.0015m, cost.CacheRead);      // 5,000 × 0.30 / 1e6
        Assert.Equal(0.00375m, cost.CacheWrite);    // 1,000 × 3.75 / 1e6
        Assert.Equal(0.0075m, cost.Output);         // 500 × 15 / 1e6
        Assert.Equal(0.01305m, cost.Total);
    }

    [Fact]
    public void Anthropic_cache_write_with_inclusive_counts()
    {
        // The conventions' form of the same call: input 6,100 includes 5,000 read and 1,000 written.
        var cost = CostCalculator.Calculate(Call(input: 6100, cacheRead: 5000, cacheWrite: 1000, output: 500), ClaudeSonnet);
        Assert.Equal(0.01305m, cost.Total);
    }

    [Fact]
    public void Long_context_above_the_tier_bills_the_whole_request_at_the_tier_price()
    {
        // 250,000 input > 200,000: 250,000 × 2.50 / 1e6 = 0.625; 1,000 × 15 / 1e6 = 0.015
        Assert.Equal(0.640m, CostCalculator.Calculate(Call(input: 250_000, output: 1000), GeminiPro).Total);

        // exactly at the threshold is not above it: 200,000 × 1.25 / 1e6 = 0.25; 1,000 × 10 / 1e6 = 0.01
        Assert.Equal(0.26m, CostCalculator.Calculate(Call(input: 200_000, output: 1000), GeminiPro).Total);
    }

    [Fact]
    public void Batch_call_is_billed_at_batch_prices()
    {
        var call = Call(input: 10_000, output: 2_000);
        call.IsBatch = true;
        // 10,000 × 1.25 / 1e6 = 0.0125; 2,000 × 5 / 1e6 = 0.01
        Assert.Equal(0.0225m, CostCalculator.Calculate(call, Gpt4o).Total);
        call.IsBatch = false;
        // 10,000 × 2.50 / 1e6 = 0.025; 2,000 × 10 / 1e6 = 0.02
        Assert.Equal(0.045m, CostCalculator.Calculate(call, Gpt4o).Total);
    }

    [Fact]
    public void Embeddings_priced_by_input_tokens()
    {
        var small = new ModelPrice { Id = "text-embedding-3-small", Standard = new PriceSet { Input = 0.02m } };
        // 8,000 × 0.02 / 1e6
        Assert.Equal(0.00016m, CostCalculator.Calculate(Call(input: 8000), small).Total);
    }

    [Fact]
    public void Rerank_priced_per_call()
    {
        // $2.00 per 1,000 searches = $0.002 a call
        var rerank = new ModelPrice { Id = "rerank-v3.5", Standard = new PriceSet { PerCall = 0.002m } };
        var cost = CostCalculator.Calculate(Call(), rerank);
        Assert.Equal(0.002m, cost.PerCall);
        Assert.Equal(0.002m, cost.Total);
    }

    [Fact]
    public void Unknown_model_is_unpriced_not_zero()
    {
        var cost = CostCalculator.Calculate(Call(input: 1000, output: 1000), price: null);
        Assert.False(cost.IsPriced);
        Assert.Equal(CostSource.Unpriced, cost.Source);
    }

    [Fact]
    public void Reported_cost_is_the_total_and_says_so()
    {
        var call = Call(input: 1000, output: 100);
        call.HasReportedCost = true;
        call.ReportedCost = 0.0123m;
        var withPrice = CostCalculator.Calculate(call, Gpt4o);
        Assert.Equal(0.0123m, withPrice.Total);
        Assert.Equal(CostSource.Reported, withPrice.Source);
        Assert.Equal(0.0035m, withPrice.EstimatedTotal); // 1,000 × 2.5 + 100 × 10 = 3,500 / 1e6, kept beside it

        var withoutPrice = CostCalculator.Calculate(call, price: null);
        Assert.Equal(0.0123m, withoutPrice.Total);
        Assert.Equal(CostSource.Reported, withoutPrice.Source);
    }

    [Fact]
    public void Reported_cost_read_from_a_span()
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.Request.Model, "in-house-llm"),
            (A.GenAi.Usage.CostAmount, "0.042"), (A.GenAi.Usage.CostCurrency, "USD"));
        TestSpans.Normalize(span, out var call, out _);
        var cost = CostCalculator.Calculate(call, price: null);
        Assert.Equal(0.042m, cost.Total);
        Assert.Equal(CostSource.Reported, cost.Source);
        Assert.Equal("USD", call.ReportedCurrency);
    }

    [Fact]
    public void Price_change_on_an_effective_date()
    {
        var before = Gpt4o with { EffectiveTo = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) };
        var after = Gpt4o with { Id = "gpt-4o@2026-06", Standard = new PriceSet { Input = 2.00m, Output = 8.00m }, EffectiveFrom = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero) };
        var catalog = new PriceCatalog([before, after]);
        var may = new DateTimeOffset(2026, 5, 31, 23, 59, 59, TimeSpan.Zero);
        var june = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Same(before, Resolve(catalog, "gpt-4o", may));
        Assert.Equal(0.0045m, CostCalculator.Calculate(Call(input: 1000, output: 200), before).Total);  // 2,500 + 2,000 → /1e6
        Assert.True(after.IsInForceAt(june));
        Assert.False(before.IsInForceAt(june));
        Assert.Equal(0.0036m, CostCalculator.Calculate(Call(input: 1000, output: 200), after).Total);   // 2,000 + 1,600 → /1e6
    }

    private static ModelPrice? Resolve(PriceCatalog catalog, string model, DateTimeOffset at) =>
        catalog.TryResolve("openai", model, at, out var price) ? price : null;

    private static GenAiCall Call(long input = 0, long cacheRead = 0, long cacheWrite = 0, long output = 0, long reasoning = 0) => new()
    {
        Operation = "chat",
        Kind = OperationKind.Inference,
        Provider = "p",
        Model = "m",
        Tenant = "t",
        UseCase = "u",
        HasTokens = true,
        InputTokens = input,
        CacheReadTokens = cacheRead,
        CacheWriteTokens = cacheWrite,
        OutputTokens = output,
        ReasoningTokens = reasoning,
    };
}
