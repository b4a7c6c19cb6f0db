using Xunit;
using Microsoft.Extensions.Options;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Otel.Tests.Sources;

/// <summary>Catalog files reload on change, all layers together; a bad edit keeps the last good catalog.</summary>
public sealed class PriceCatalogSourceTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("catalog-source-");

    [Fact]
    public async Task Edited_layer_reloads_and_a_bad_edit_keeps_the_last_good_catalog()
    {
        var baseFile = Path.Combine(this.folder.FullName, "base.yaml");
        var overrides = Path.Combine(this.folder.FullName, "negotiated.yaml");
        File.WriteAllText(baseFile, "models:\n  m1:\n    provider: p\n    input: 2\n    output: 8\n  m2:\n    provider: p\n    input: 1\n    output: 4\n");
        File.WriteAllText(overrides, "models:\n  m1:\n    provider: p\n    input: 1.5\n    output: 6\n");
        using var source = new PriceCatalogSource(Options.Create(new UnitEconomicsOptions { UseDefaultCatalog = false, PriceCatalogs = [baseFile, overrides] }));
        Assert.Equal(1.5m, Input(source));
        Assert.Equal(4m, Output(source, "m2"));

        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.Reloaded += _ => reloaded.TrySetResult();
        File.WriteAllText(overrides, "models:\n  m1:\n    provider: p\n    input: 1.25\n    output: 5\n");
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1.25m, Input(source));
        Assert.Equal(4m, Output(source, "m2")); // the base layer is still under it

        File.WriteAllText(baseFile, "models: [ this is not a catalog");
        Assert.False(source.Reload());
        Assert.Equal(1.25m, Input(source));
        Assert.Equal(4m, Output(source, "m2"));
    }

    public void Dispose() => this.folder.Delete(recursive: true);

    private static decimal? Input(PriceCatalogSource source) =>
        source.Current.TryResolve("p", "m1", DateTimeOffset.UtcNow, out var price) ? price.Standard.Input : null;

    private static decimal? Output(PriceCatalogSource source, string model) =>
        source.Current.TryResolve("p", model, DateTimeOffset.UtcNow, out var price) ? price.Standard.Output : null;
}
