using UnitEconomics.Otel.Pricing;
using Xunit;

namespace UnitEconomics.Otel.Tests.Pricing;

public sealed class PriceCatalogResolutionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Yaml = """
        prices_as_of: 2025-06-01
        models:
          gpt-4o:
            provider: openai
            input: 2.5
            output: 10
          azure-gpt-4o:
            provider: azure.ai.openai
            match: { exact: [gpt-4o] }
            input: 2.75
            output: 11
          claude-sonnet-4-5:
            provider: anthropic
            input: 3
            output: 15
          mistral-large:
            provider: mistral_ai
            input: 0.5
            output: 1.5
          llama-family:
            match: { prefix: [llama-3, llama-3.1] }
            input: 0.2
            output: 0.2
          llama-31:
            match: { prefix: [llama-3.1-] }
            input: 0.3
            output: 0.3
          any-qwen:
            match: { regex: ['^qwen[0-9.]*-(\d+)b$'] }
            input: 0.4
            output: 0.4
          any-model:
            match: { regex: ['.*'] }
            input: 99
            output: 99
          old-gpt-4o-mini:
            provider: openai
            match: { exact: [gpt-4o-mini] }
            input: 0.3
            output: 1.2
            effective_to: 2024-07-18
          gpt-4o-mini:
            provider: openai
            input: 0.15
            output: 0.6
            effective_from: 2024-07-18
        """;

    private readonly CatalogFiles files = new();
    private readonly PriceCatalog catalog;

    public PriceCatalogResolutionTests() => this.catalog = PriceCatalog.Load(this.files.Write("rules.yaml", Yaml));

    public void Dispose() => this.files.Dispose();

    [Theory]
    [InlineData("openai", "gpt-4o", "gpt-4o")]
    [InlineData("openai", "GPT-4O", "gpt-4o")]
    [InlineData(null, "claude-sonnet-4-5", "claude-sonnet-4-5")]
    public void Exact_name_resolves_case_insensitively(string? provider, string model, string expectedId) =>
        Assert.Equal(expectedId, this.Resolve(provider, model));

    [Theory]
    [InlineData("openai", "openai/gpt-4o", "gpt-4o")]
    [InlineData(null, "anthropic/claude-sonnet-4-5", "claude-sonnet-4-5")]
    [InlineData(null, "openrouter/anthropic/claude-sonnet-4-5", "claude-sonnet-4-5")]
    public void Provider_slash_model_resolves_to_the_bare_model(string? provider, string model, string expectedId) =>
        Assert.Equal(expectedId, this.Resolve(provider, model));

    [Theory]
    [InlineData("openai", "gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("gcp.vertex_ai", "claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("aws.bedrock", "anthropic/claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5")]
    [InlineData("mistral_ai", "mistral-large-latest", "mistral-large")]
    [InlineData("mistral_ai", "mistral-large-2512", "mistral-large")]
    public void Dated_and_versioned_names_resolve_to_the_base_entry(string provider, string model, string expectedId) =>
        Assert.Equal(expectedId, this.Resolve(provider, model));

    [Fact]
    public void Longest_prefix_wins()
    {
        Assert.Equal("llama-31", this.Resolve(null, "llama-3.1-70b-instruct"));
        Assert.Equal("llama-family", this.Resolve(null, "llama-3-8b"));
    }

    [Fact]
    public void Regexes_are_tried_in_file_order_after_names_and_prefixes()
    {
        Assert.Equal("any-qwen", this.Resolve(null, "qwen2.5-72b"));
        Assert.Equal("any-model", this.Resolve(null, "something-else"));

        // A prefix beats a regex that also matches.
        Assert.Equal("llama-family", this.Resolve(null, "llama-3-8b"));
    }

    [Fact]
    public void Same_name_under_two_providers_prefers_the_callers_provider()
    {
        Assert.Equal("gpt-4o", this.Resolve("openai", "gpt-4o"));
        Assert.Equal("azure-gpt-4o", this.Resolve("azure.ai.openai", "gpt-4o"));
        Assert.Equal("azure-gpt-4o", this.Resolve("azure.ai.openai", "gpt-4o-2024-11-20"));

        // With no provider on the span, the first entry in file order.
        Assert.Equal("gpt-4o", this.Resolve(null, "gpt-4o"));
    }

    [Fact]
    public void Entry_for_another_provider_is_still_used_when_it_is_the_only_one()
    {
        Assert.Equal("claude-sonnet-4-5", this.Resolve("aws.bedrock", "claude-sonnet-4-5"));
    }

    [Fact]
    public void Price_history_picks_the_entry_in_force_when_the_call_ended()
    {
        var changeDay = new DateTimeOffset(2024, 7, 18, 0, 0, 0, TimeSpan.Zero);

        Assert.True(this.catalog.TryResolve("openai", "gpt-4o-mini", changeDay.AddTicks(-1), out var before));
        Assert.Equal("old-gpt-4o-mini", before.Id);
        Assert.Equal(0.3m, before.Standard.Input);

        // effective_from is inclusive, effective_to exclusive.
        Assert.True(this.catalog.TryResolve("openai", "gpt-4o-mini", changeDay, out var after));
        Assert.Equal("gpt-4o-mini", after.Id);
        Assert.Equal(0.15m, after.Standard.Input);

        // The same (provider, name) twice: the cached ranking still honours the time.
        Assert.True(this.catalog.TryResolve("openai", "gpt-4o-mini-2024-07-18", changeDay.AddDays(-30), out var dated));
        Assert.Equal("old-gpt-4o-mini", dated.Id);
        Assert.True(this.catalog.TryResolve("openai", "gpt-4o-mini-2024-07-18", changeDay.AddDays(30), out dated));
        Assert.Equal("gpt-4o-mini", dated.Id);
    }

    [Fact]
    public void Unknown_name_is_unresolved_when_nothing_matches()
    {
        var strict = PriceCatalog.Load(this.files.Write("strict.yaml", """
            models:
              gpt-4o: { provider: openai, input: 2.5, output: 10 }
            """));

        Assert.False(strict.TryResolve("openai", "gpt-4o-mini", Now, out var price));
        Assert.Null(price);
        Assert.False(strict.TryResolve("openai", "", Now, out _));
        Assert.False(PriceCatalog.Empty.TryResolve("openai", "gpt-4o", Now, out _));
    }

    [Fact]
    public void Provider_qualified_ids_answer_to_the_bare_name_only_for_their_provider()
    {
        var catalog = PriceCatalog.Load(this.files.Write("qualified.yaml", """
            models:
              azure/gpt-4o: { provider: azure.ai.openai, input: 2.75, output: 11 }
            """));

        Assert.True(catalog.TryResolve("azure.ai.openai", "gpt-4o", Now, out var price));
        Assert.Equal("azure/gpt-4o", price.Id);
        Assert.False(catalog.TryResolve("openai", "gpt-4o", Now, out _));
        Assert.True(catalog.TryResolve("openai", "azure/gpt-4o", Now, out _));
    }

    [Fact]
    public void Native_json_reads_like_yaml()
    {
        var catalog = PriceCatalog.Load(this.files.Write("custom.json", """
            {
              "prices_as_of": "2025-06-01",
              "models": {
                "my-model": {
                  "provider": "openai",
                  "input": 1.5, "cached_input": 0.5, "output": 6,
                  "tiers": [ { "above_input_tokens": 100000, "input": 3 } ],
                  "batch": { "output": 3 }
                }
              }
            }
            """));

        Assert.Equal(CatalogFormat.NativeJson, catalog.Report.Files[0].Format);
        Assert.Equal(new DateOnly(2025, 6, 1), catalog.Report.Files[0].PricesAsOf);
        Assert.True(catalog.TryResolve("openai", "my-model", Now, out var price));
        Assert.Equal(1.5m, price.Standard.Input);

        // Tier and batch sets are stored complete: unset prices come from the standard set.
        var tier = Assert.Single(price.Tiers);
        Assert.Equal(100_000, tier.AboveInputTokens);
        Assert.Equal(new PriceSet { Input = 3m, CachedInput = 0.5m, Output = 6m }, tier.Prices);
        Assert.Equal(new PriceSet { Input = 1.5m, CachedInput = 0.5m, Output = 3m }, price.Batch);
    }

    private string? Resolve(string? provider, string model) =>
        this.catalog.TryResolve(provider, model, Now, out var price) ? price.Id : null;
}
