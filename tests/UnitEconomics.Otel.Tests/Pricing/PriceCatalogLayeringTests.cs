using UnitEconomics.Otel.Pricing;
using Xunit;

namespace UnitEconomics.Otel.Tests.Pricing;

public sealed class PriceCatalogLayeringTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly CatalogFiles files = new();

    public void Dispose() => this.files.Dispose();

    [Fact]
    public void A_later_file_replaces_one_entry_by_id_and_leaves_the_others()
    {
        var list = this.files.Write("list.yaml", """
            models:
              gpt-4o: { provider: openai, input: 2.5, output: 10 }
              gpt-4o-mini: { provider: openai, input: 0.15, output: 0.6 }
            """);
        var negotiated = this.files.Write("negotiated.yaml", """
            source: contract 2025-05
            models:
              GPT-4o: { provider: openai, input: 2, output: 8 }
            """);

        var catalog = PriceCatalog.Load(list, negotiated);

        Assert.Equal(2, catalog.Entries.Count);
        Assert.True(catalog.TryResolve("openai", "gpt-4o-2024-08-06", Now, out var replaced));
        Assert.Equal(2m, replaced.Standard.Input);
        Assert.Equal(8m, replaced.Standard.Output);
        Assert.Equal(negotiated, replaced.CatalogFile);
        Assert.Equal("contract 2025-05", replaced.Source);

        Assert.True(catalog.TryResolve("openai", "gpt-4o-mini", Now, out var kept));
        Assert.Equal(0.15m, kept.Standard.Input);
        Assert.Equal(list, kept.CatalogFile);

        Assert.Equal(2, catalog.Report.Files.Count);
        Assert.Equal(2, catalog.Report.Files[0].Loaded);
        Assert.Equal(0, catalog.Report.Files[0].Overrides);
        Assert.Equal(1, catalog.Report.Files[1].Loaded);
        Assert.Equal(1, catalog.Report.Files[1].Overrides);
    }

    [Fact]
    public void A_later_file_overrides_an_entry_field_by_field()
    {
        var list = this.files.Write("list.yaml", """
            models:
              claude-sonnet-4-5:
                provider: anthropic
                input: 3
                cached_input: 0.3
                output: 15
                batch: { input: 1.5, output: 7.5 }
            """);
        var negotiated = this.files.Write("negotiated.yaml", """
            models:
              claude-sonnet-4-5: { provider: anthropic, input: 2.4 }
            """);

        var catalog = PriceCatalog.Load(list, negotiated);

        Assert.True(catalog.TryResolve("anthropic", "claude-sonnet-4-5", Now, out var price));
        Assert.Equal(2.4m, price.Standard.Input);          // set by the later file
        Assert.Equal(0.3m, price.Standard.CachedInput);    // kept from the earlier one
        Assert.Equal(15m, price.Standard.Output);
        Assert.Equal(1.5m, price.Batch!.Input);            // a layer without batch prices keeps the earlier ones
        Assert.Equal(negotiated, price.CatalogFile);
        Assert.Equal([("cached_input", list), ("output", list), ("batch", list)], price.FieldFiles);
    }

    [Fact]
    public void LiteLlm_layered_over_the_default_catalog_keeps_its_batch_price()
    {
        if (!File.Exists(UnitEconomics.TestSupport.RepoPaths.LiteLlmCatalog))
        {
            Assert.Fail("../shared/data/litellm is missing: " + UnitEconomics.TestSupport.RepoPaths.LiteLlmCatalog);
        }

        var defaults = PriceCatalog.LoadDefault();
        var layered = PriceCatalog.LoadDefaultAnd(UnitEconomics.TestSupport.RepoPaths.LiteLlmCatalog);
        Assert.True(defaults.TryResolve("anthropic", "claude-sonnet-4-5", Now, out var before));
        Assert.True(layered.TryResolve("anthropic", "claude-sonnet-4-5", Now, out var after));
        Assert.NotNull(before.Batch);
        Assert.Equal(before.Batch!.Input, after.Batch!.Input);
        Assert.Contains(after.FieldFiles, f => f.Field == "batch" && f.File == PriceCatalog.DefaultCatalogName);
    }

    [Fact]
    public void A_later_file_wins_a_name_both_files_match_under_different_ids()
    {
        var list = this.files.Write("list.yaml", """
            models:
              gpt-4o: { provider: openai, input: 2.5, output: 10 }
            """);
        var custom = this.files.Write("custom.yaml", """
            models:
              our-gpt-4o-deal:
                provider: openai
                match: { exact: [gpt-4o] }
                input: 2.25
                output: 9
                effective_from: 2025-07-01
            """);

        var catalog = PriceCatalog.Load(list, custom);

        // Before the deal starts the list price applies, from then on the deal.
        Assert.True(catalog.TryResolve("openai", "gpt-4o", Now, out var before));
        Assert.Equal("gpt-4o", before.Id);
        Assert.True(catalog.TryResolve("openai", "gpt-4o", new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero), out var after));
        Assert.Equal("our-gpt-4o-deal", after.Id);
    }

    [Fact]
    public void Default_catalog_with_a_file_on_top()
    {
        var custom = this.files.Write("custom.yaml", """
            models:
              vector-search: { per_call: 0.0004, source: "our pgvector cluster, cost per query" }
              web_search: { per_call: 0.01 }
            """);

        var catalog = PriceCatalog.LoadDefaultAnd(custom);

        Assert.True(catalog.TryResolve(null, "vector-search", Now, out var vector));
        Assert.Equal(0.0004m, vector.Standard.PerCall);
        Assert.True(catalog.TryResolve(null, "web_search", Now, out var tool));
        Assert.Equal(0.01m, tool.Standard.PerCall);
        Assert.True(catalog.TryResolve("openai", "gpt-4o", Now, out var model));
        Assert.Equal(2.5m, model.Standard.Input);
        Assert.Equal(PriceCatalog.DefaultCatalogName, catalog.Report.Files[0].File);
        Assert.Equal(1, catalog.Report.Files[1].Overrides);
    }
}
