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
