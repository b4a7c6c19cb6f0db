using UnitEconomics.Otel.Tenants;
using Xunit;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Otel.Tests.Tenants;

/// <summary>
/// The engine's infra extension point on its own: the <c>infra:</c> section reaches a host unread, a host's
/// figures replace the typed ones tier by tier, and the watcher reloads when a file appears in a watched folder.
/// </summary>
public sealed class InfraCostSourceTests : IDisposable
{
    private const string File = """
        tiers:
          pro: { revenue_per_customer_per_month: 29, infra_cost_per_month: 500 }
          enterprise: { revenue_per_customer_per_month: 500, infra_cost_per_month: 2000 }
        tenants:
          acme: { tier: pro }
          initech: { tier: pro }
        infra:
          source: figures
          rules: [a, b]
          nested: { key: value }
        """;

    private readonly TempDirectory dir = new();

    public void Dispose() => this.dir.Dispose();

    [Fact]
    public void Infra_section_is_kept_as_plain_values()
    {
        var directory = TenantDirectory.Parse(File, "tenants.yaml");
        var infra = Assert.IsType<InfraSection>(directory.Infra);
        Assert.Equal(("tenants.yaml", 7), (infra.SourceName, infra.Line));
        Assert.Equal("figures", infra.Settings["source"]);
        Assert.Equal(["a", "b"], Assert.IsAssignableFrom<IReadOnlyList<object?>>(infra.Settings["rules"]));
        Assert.Equal("value", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(infra.Settings["nested"])["key"]);
        Assert.Null(TenantDirectory.Parse("tiers: {}\n", "t.yaml").Infra);

        var ex = Assert.Throws<TenantDirectoryException>(() => TenantDirectory.Parse("tiers: {}\ninfra: [a]\n", "t.yaml"));
        Assert.Equal("t.yaml:2: field 'infra': must be a mapping of settings, found a list", ex.Message);
    }

    [Fact]
    public void Host_figures_replace_the_typed_ones_for_the_tiers_they_name()
    {
        var typed = TenantDirectory.Parse(File, "tenants.yaml");
        var costs = new InfraCosts(new Dictionary<string, decimal> { ["pro"] = 540m }, new Dictionary<string, decimal> { ["acme"] = 405m, ["initech"] = 135m }, "bill");
        var billed = typed.WithInfraCosts(costs);

        Assert.Equal(540m, billed.Tiers["pro"].InfraCostPerMonth);
        Assert.Equal(2000m, billed.Tiers["enterprise"].InfraCostPerMonth); // not named: the typed figure stays
        Assert.Equal(270m, billed.InfraCostPerCustomerOfTier("pro"));      // 540 / 2
        Assert.Equal(405m, billed.InfraCostOfTenant("acme"));               // its own figure, not 270
        Assert.Equal(250m, typed.InfraCostOfTenant("acme"));                // typed: 500 / 2
        Assert.Null(typed.InfraCostOfTenant("nobody"));
        Assert.Same(costs, billed.InfraCosts);
        Assert.Same(typed.Infra, billed.Infra);
        Assert.Equal("pro", billed.TierOf("initech"));
    }

    [Fact]
    public async Task Watcher_applies_the_source_and_reloads_when_a_file_lands_in_its_folder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(this.dir.Path, "bills")).FullName;
        var path = this.dir.Write("tenants.yaml", File);
        var source = new CountingSource(folder);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromMilliseconds(50), source);
        Assert.Equal(0m, watcher.Current.Tiers["pro"].InfraCostPerMonth); // no file in the folder yet: 0 × 100

        var reloaded = new TaskCompletionSource<TenantDirectory>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Reloaded += d => reloaded.TrySetResult(d);
        await System.IO.File.WriteAllTextAsync(Path.Combine(folder, "2026-10.csv"), "x");
        var directory = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(100m, directory.Tiers["pro"].InfraCostPerMonth); // one file × 100

        // A source that throws refuses the load: the last good directory stays.
        source.Fail = true;
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.ReloadFailed += e => failed.TrySetResult(e);
        await System.IO.File.WriteAllTextAsync(Path.Combine(folder, "2026-11.csv"), "x");
        Assert.Equal("bad bill", (await failed.Task.WaitAsync(TimeSpan.FromSeconds(30))).Message);
        Assert.Equal(100m, watcher.Current.Tiers["pro"].InfraCostPerMonth);
    }

    /// <summary>Gives pro 100 a month per file in its folder.</summary>
    private sealed class CountingSource(string folder) : IInfraCostSource
    {
        public volatile bool Fail;

        public IReadOnlyList<string> WatchedPaths(TenantDirectory directory) => [folder];

        public InfraCosts? Compute(TenantDirectory directory) => this.Fail
            ? throw new TenantDirectoryException("bad bill")
            : new InfraCosts(new Dictionary<string, decimal> { ["pro"] = 100m * Directory.GetFiles(folder).Length }, new Dictionary<string, decimal>(), folder);
    }
}
