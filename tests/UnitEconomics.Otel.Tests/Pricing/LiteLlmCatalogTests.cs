using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Otel.Tests.Pricing;

/// <summary>
/// The real LiteLLM catalog (../shared/data/litellm). Prices in the expectations were read from the file
/// by hand (USD per token) and are written out with their arithmetic; none is computed by the code under test.
/// </summary>
public sealed class LiteLlmCatalogTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Lazy<PriceCatalog> LiteLlm = new(() => PriceCatalog.Load(RepoPaths.LiteLlmCatalog));

    [Fact]
    public void The_whole_file_loads_and_the_report_accounts_for_every_entry()
    {
        var report = Assert.Single(LiteLlm.Value.Report.Files);

        Assert.Equal(CatalogFormat.LiteLlm, report.Format);

        // 2,984 top-level entries = 2,537 priced by token or per call + 447 skipped.
        Assert.Equal(2537, report.Loaded);
        Assert.Equal(447, report.Skipped.Count);
        Assert.Equal(2537, LiteLlm.Value.Entries.Count);

        var byReason = LiteLlm.Value.Report.SkippedByReason;
        Assert.Equal(1, byReason["documentation entry (sample_spec), not a model"]);
        Assert.Equal(1, byReason["not a model entry (no litellm_provider)"]);
        Assert.Equal(1, byReason["duplicate id (ids are case-insensitive)"]);
        Assert.Equal(157, byReason["no token or per-call price (mode image_generation)"]);
        Assert.Equal(51, byReason["no token or per-call price (mode audio_transcription)"]);
        Assert.Contains(report.Skipped, s => s.Id == "fallback_generalizations");
    }

    [Fact]
    public void Prices_are_per_million_and_exact()
    {
        // gpt-4o: input_cost_per_token 2.5e-06, cache_read 1.25e-06, output 1e-05, batches 1.25e-06 / 5e-06.
        Assert.True(LiteLlm.Value.TryResolve("openai", "gpt-4o", Now, out var price));
        Assert.Equal("openai", price.Provider);
        Assert.Equal(new PriceSet { Input = 2.5m, CachedInput = 1.25m, Output = 10m }, price.Standard);
        Assert.Equal(new PriceSet { Input = 1.25m, CachedInput = 1.25m, Output = 5m }, price.Batch);
        Assert.Equal("2.5", price.Standard.Input!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Gpt_4o_cost_by_hand()
    {
        // 10,000 input tokens of which 4,000 cache reads, 2,000 output tokens:
        // 6,000 × 2.5e-06 = 0.015; 4,000 × 1.25e-06 = 0.005; 2,000 × 1e-05 = 0.02; total 0.040.
        var call = Call("openai", "gpt-4o-2024-08-06", input: 10_000, output: 2_000, cacheRead: 4_000);

        var cost = Price(call, out var id);

        Assert.Equal("gpt-4o-2024-08-06", id);
        Assert.Equal(0.015m, cost.UncachedInput);
        Assert.Equal(0.005m, cost.CacheRead);
        Assert.Equal(0.02m, cost.Output);
        Assert.Equal(0.04m, cost.Total);
        Assert.Equal(CostSource.Estimated, cost.Source);
    }

    [Fact]
    public void Claude_sonnet_4_5_long_context_tier_cost_by_hand()
    {
        // Above 200k input tokens the whole request is billed at the _above_200k_tokens prices:
        // input 6e-06, cache_read 6e-07, cache_creation 7.5e-06, output 2.25e-05.
        // 250,000 input = 180,000 uncached + 50,000 cache read + 20,000 cache write; 1,000 output.
        // 180,000 × 6e-06 = 1.08; 50,000 × 6e-07 = 0.03; 20,000 × 7.5e-06 = 0.15; 1,000 × 2.25e-05 = 0.0225.
        var call = Call("anthropic", "claude-sonnet-4-5-20250929", input: 250_000, output: 1_000, cacheRead: 50_000, cacheWrite: 20_000);

        var cost = Price(call, out _);

        Assert.Equal(1.08m, cost.UncachedInput);
        Assert.Equal(0.03m, cost.CacheRead);
        Assert.Equal(0.15m, cost.CacheWrite);
        Assert.Equal(0.0225m, cost.Output);
        Assert.Equal(1.2825m, cost.Total);

        // Below the threshold, the standard prices: 1,000 × 3e-06 + 500 × 1.5e-05 = 0.003 + 0.0075 = 0.0105.
        Assert.Equal(0.0105m, Price(Call("anthropic", "claude-sonnet-4-5", input: 1_000, output: 500), out _).Total);
    }

    [Fact]
    public void Gemini_2_5_flash_via_the_gemini_api_with_reasoning_cost_by_hand()
    {
        // gemini/gemini-2.5-flash (litellm_provider gemini → gcp.gemini): input 3e-07,
        // output 2.5e-06, output_cost_per_reasoning_token 2.5e-06.
        // 100,000 × 3e-07 = 0.03; (5,000 − 3,000) × 2.5e-06 = 0.005; 3,000 × 2.5e-06 = 0.0075; total 0.0425.
        var call = Call("gcp.gemini", "gemini-2.5-flash", input: 100_000, output: 5_000, reasoning: 3_000);

        var cost = Price(call, out var id);

        Assert.Equal("gemini/gemini-2.5-flash", id);
        Assert.Equal(0.03m, cost.UncachedInput);
        Assert.Equal(0.005m, cost.Output);
        Assert.Equal(0.0075m, cost.Reasoning);
        Assert.Equal(0.0425m, cost.Total);
    }

    [Fact]
    public void Cohere_rerank_is_priced_per_query()
    {
        // rerank-v3.5: input_cost_per_query 0.002, token prices 0.
        var call = Call("cohere", "rerank-v3.5", input: 0, output: 0);

        var cost = Price(call, out _);

        Assert.Equal(0.002m, cost.PerCall);
        Assert.Equal(0.002m, cost.Total);
    }

    [Fact]
    public void Embedding_batch_call_uses_batch_prices()
    {
        // text-embedding-3-small: input_cost_per_token_batches 1e-08; 1,000,000 × 1e-08 = 0.01.
        var call = Call("openai", "text-embedding-3-small", input: 1_000_000, output: 0);
        call.IsBatch = true;

        Assert.Equal(0.01m, Price(call, out _).Total);
    }

    [Theory]
    [InlineData("azure.ai.openai", "gpt-4o-2024-08-06", "azure/gpt-4o-2024-08-06")]
    [InlineData("openai", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06")]
    [InlineData("gcp.vertex_ai", "gemini-2.5-pro", "gemini-2.5-pro")]
    [InlineData("gcp.gemini", "gemini-2.5-pro", "gemini/gemini-2.5-pro")]
    [InlineData(null, "azure/gpt-4o", "azure/gpt-4o")]
    [InlineData("mistral_ai", "mistral-large-latest", "mistral/mistral-large-latest")]
    public void Provider_picks_between_entries_with_the_same_model_name(string? provider, string model, string expectedId)
    {
        Assert.True(LiteLlm.Value.TryResolve(provider, model, Now, out var price));
        Assert.Equal(expectedId, price.Id);
    }

    [Fact]
    public void Gemini_2_5_pro_tier_threshold_is_200k_input_tokens()
    {
        Assert.True(LiteLlm.Value.TryResolve("gcp.gemini", "gemini-2.5-pro", Now, out var price));

        var tier = Assert.Single(price.Tiers);
        Assert.Equal(200_000, tier.AboveInputTokens);

        // input_cost_per_token_above_200k_tokens 2.5e-06, output 1.5e-05; cache read 2.5e-07.
        Assert.Equal(new PriceSet { Input = 2.5m, CachedInput = 0.25m, Output = 15m }, tier.Prices);
    }

    private static GenAiCall Call(string? provider, string model, long input, long output, long cacheRead = 0, long cacheWrite = 0, long reasoning = 0) => new()
    {
        Operation = "chat",
        Kind = OperationKind.Inference,
        Provider = provider!,
        Model = model,
        HasTokens = true,
        InputTokens = input,
        OutputTokens = output,
        CacheReadTokens = cacheRead,
        CacheWriteTokens = cacheWrite,
        ReasoningTokens = reasoning,
        Tenant = "t1",
        UseCase = "test",
    };

    private static CostBreakdown Price(in GenAiCall call, out string id)
    {
        Assert.True(LiteLlm.Value.TryResolve(call.Provider, call.Model, Now, out var price), "no price for " + call.Model);
        id = price.Id;
        return CostCalculator.Calculate(call, price);
    }
}
