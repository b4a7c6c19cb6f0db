using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using Xunit;

namespace UnitEconomics.Otel.Tests.Pricing;

public sealed class DefaultCatalogTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PriceCatalog Default = PriceCatalog.LoadDefault();

    [Fact]
    public void Loads_with_a_date_and_a_source_on_every_entry()
    {
        var report = Assert.Single(Default.Report.Files);
        Assert.Equal(CatalogFormat.NativeYaml, report.Format);
        Assert.Equal(new DateOnly(2026, 7, 24), report.PricesAsOf);
        Assert.Empty(report.Skipped);
        Assert.True(report.Loaded >= 40, $"only {report.Loaded} entries");
        Assert.All(Default.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Source), e.Id + " has no source"));
    }

    [Theory]
    [InlineData("openai", "gpt-4o-2024-08-06")]
    [InlineData("openai", "openai/gpt-4o")]
    [InlineData(null, "gpt-4o")]
    public void Gpt_4o_forms_resolve_to_the_gpt_4o_entry(string? provider, string model)
    {
        Assert.True(Default.TryResolve(provider, model, Now, out var price));

        Assert.Equal("gpt-4o", price.Id);
        Assert.Equal(new PriceSet { Input = 2.5m, CachedInput = 1.25m, Output = 10m }, price.Standard);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("openai", "gpt-4.1-2025-04-14", "gpt-4.1")]
    [InlineData("openai", "o3", "o3")]
    [InlineData("openai", "o4-mini-2025-04-16", "o4-mini")]
    [InlineData("openai", "gpt-5-mini-2025-08-07", "gpt-5-mini")]
    [InlineData("openai", "text-embedding-3-large", "text-embedding-3-large")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("anthropic", "claude-haiku-4-5-20251001", "claude-haiku-4-5")]
    [InlineData("anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1")]
    [InlineData("gcp.vertex_ai", "claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("gcp.gemini", "models/gemini-2.5-pro", "gemini-2.5-pro")]
    [InlineData("gcp.gemini", "gemini-2.5-flash-lite", "gemini-2.5-flash-lite")]
    [InlineData("mistral_ai", "mistral-large-latest", "mistral-large")]
    [InlineData("mistral_ai", "mistral-small-2506", "mistral-small")]
    [InlineData("cohere", "command-a-03-2025", "command-a")]
    [InlineData("cohere", "command-r-plus-08-2024", "command-r-plus")]
    [InlineData("cohere", "rerank-v3.5", "rerank-v3.5")]
    [InlineData(null, "vector-search", "vector-search")]
    public void Common_models_resolve(string? provider, string model, string expectedId)
    {
        Assert.True(Default.TryResolve(provider, model, Now, out var price), model);
        Assert.Equal(expectedId, price.Id);
    }

    [Fact]
    public void Claude_cache_write_and_read_are_priced()
    {
        // claude-sonnet-4-5: input $3, cache read $0.30, cache write $3.75, output $15 per million.
        // 10,000 input = 2,000 uncached + 6,000 read + 2,000 write; 1,000 output.
        // 2,000 × 3 / 1e6 = 0.006; 6,000 × 0.3 / 1e6 = 0.0018; 2,000 × 3.75 / 1e6 = 0.0075; 1,000 × 15 / 1e6 = 0.015.
        var call = new GenAiCall
        {
            Provider = "anthropic",
            Model = "claude-sonnet-4-5",
            InputTokens = 10_000,
            CacheReadTokens = 6_000,
            CacheWriteTokens = 2_000,
            OutputTokens = 1_000,
        };
        Assert.True(Default.TryResolve(call.Provider, call.Model, Now, out var price));

        var cost = CostCalculator.Calculate(call, price);

        Assert.Equal(0.006m + 0.0018m + 0.0075m + 0.015m, cost.Total);
        Assert.Equal(0.0303m, cost.Total);
    }

    [Fact]
    public void Gemini_2_5_pro_has_its_long_context_tier()
    {
        Assert.True(Default.TryResolve("gcp.gemini", "gemini-2.5-pro", Now, out var price));

        var tier = Assert.Single(price.Tiers);
        Assert.Equal(200_000, tier.AboveInputTokens);
        Assert.Equal(new PriceSet { Input = 2.5m, CachedInput = 0.25m, Output = 15m }, tier.Prices);
    }

    [Fact]
    public void Cohere_rerank_and_vector_search_are_priced_per_call()
    {
        Assert.True(Default.TryResolve("cohere", "rerank-v3.5", Now, out var rerank));
        Assert.Equal(0.002m, rerank.Standard.PerCall);
        Assert.True(Default.TryResolve(null, "vector-search", Now, out var search));
        Assert.Equal(0.0015m, search.Standard.PerCall);
    }

    [Fact]
    public void Default_and_the_litellm_file_layer_together()
    {
        var catalog = PriceCatalog.LoadDefaultAnd(UnitEconomics.TestSupport.RepoPaths.LiteLlmCatalog);

        // Same id in both: LiteLLM's entry replaces the default one; the default's own names stay.
        Assert.True(catalog.TryResolve("openai", "gpt-4o", Now, out var gpt4o));
        Assert.Equal(UnitEconomics.TestSupport.RepoPaths.LiteLlmCatalog, gpt4o.CatalogFile);
        Assert.True(catalog.TryResolve(null, "vector-search", Now, out var search));
        Assert.Equal(PriceCatalog.DefaultCatalogName, search.CatalogFile);
    }
}
