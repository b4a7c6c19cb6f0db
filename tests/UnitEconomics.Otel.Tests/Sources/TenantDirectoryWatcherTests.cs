using UnitEconomics.Otel.Tenants;
using Xunit;
using UnitEconomics.Otel.Sources;
using UnitEconomics.Otel.Tests.Tenants;

namespace UnitEconomics.Otel.Tests.Sources;

public sealed class TenantDirectoryWatcherTests : IDisposable
{
    // Generous: only bounds a broken test, never asserted on.
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    private const string Version1 = """
        tiers:
          pro:
            revenue_per_customer_per_month: 29
        tenants:
          acme:
            tier: pro
        """;

    private const string Version2 = """
        tiers:
          pro:
            revenue_per_customer_per_month: 29
          enterprise:
            revenue_per_customer_per_month: 500
            infra_cost_per_month: 2500
        tenants:
          acme:
            tier: enterprise
            revenue_per_month: 1850
          globex:
            tier: pro
            engagement: 12
        """;

    private const string Broken = """
        tiers:
          pro:
            revenue_per_customer_per_month: 29
        tenants:
          acme:
            tier: gold
        """;

    private readonly TempDirectory dir = new();

    public void Dispose() => this.dir.Dispose();

    [Fact]
    public void First_load_is_synchronous()
    {
        var path = this.dir.Write("tenants.yaml", Version1);

        using var watcher = new TenantDirectoryWatcher(path);

        Assert.Equal("pro", watcher.Current.TierOf("acme"));
        Assert.Equal(path, watcher.Path);
        Assert.Equal(path, watcher.Current.SourceName);
    }

    [Fact]
    public void First_load_failure_throws()
    {
        var bad = this.dir.Write("tenants.yaml", Broken);
        var missing = Path.Combine(this.dir.Path, "missing.yaml");

        var badEx = Assert.Throws<TenantDirectoryException>(() => new TenantDirectoryWatcher(bad));
        var missingEx = Assert.Throws<TenantDirectoryException>(() => new TenantDirectoryWatcher(missing));

        Assert.Equal(bad + ":6: tenant 'acme', field 'tier': unknown tier 'gold' (known tiers: pro)", badEx.Message);
        Assert.Equal(missing + ": file not found", missingEx.Message);
    }

    [Fact]
    public void Reload_swaps_in_the_new_directory_and_raises_Reloaded()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromHours(1)); // keep the file watcher out of this test
        var reloaded = new List<TenantDirectory>();
        var failed = new List<Exception>();
        watcher.Reloaded += reloaded.Add;
        watcher.ReloadFailed += failed.Add;
        var before = watcher.Current;

        File.WriteAllText(path, Version2);
        Assert.True(watcher.Reload());

        Assert.NotSame(before, watcher.Current);
        Assert.Same(watcher.Current, Assert.Single(reloaded));
        Assert.Empty(failed);
        Assert.Equal("enterprise", watcher.Current.TierOf("acme"));
        Assert.Equal(new TenantInfo("acme", "enterprise", 1850m, 0d), watcher.Current.Tenants.First());
        Assert.Equal(new TenantInfo("globex", "pro", 29m, 12d), watcher.Current.Tenants.Last());
        Assert.Equal(2500m, watcher.Current.Tiers["enterprise"].InfraCostPerMonth);

        // The directory handed out before the reload is untouched: readers holding it see a consistent snapshot.
        Assert.Equal("pro", before.TierOf("acme"));
        Assert.Equal(TenantDirectory.UnknownTier, before.TierOf("globex"));
    }

    [Fact]
    public void Bad_file_keeps_the_last_good_directory_and_raises_ReloadFailed()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromHours(1));
        var reloaded = new List<TenantDirectory>();
        var failed = new List<Exception>();
        watcher.Reloaded += reloaded.Add;
        watcher.ReloadFailed += failed.Add;
        var good = watcher.Current;

        File.WriteAllText(path, Broken);
        Assert.False(watcher.Reload());

        Assert.Same(good, watcher.Current);
        Assert.Empty(reloaded);
        var ex = Assert.IsType<TenantDirectoryException>(Assert.Single(failed));
        Assert.Equal(path + ":6: tenant 'acme', field 'tier': unknown tier 'gold' (known tiers: pro)", ex.Message);

        // Deleted, then malformed: still the same good directory.
        File.Delete(path);
        Assert.False(watcher.Reload());
        this.dir.Write("tenants.yaml", "tiers: [\n");
        Assert.False(watcher.Reload());
        Assert.Same(good, watcher.Current);
        Assert.Equal(3, failed.Count);
        Assert.Equal(path + ": file not found", failed[1].Message);
        Assert.StartsWith(path + ":2: is not valid YAML: ", failed[2].Message);

        // A fixed file is picked up again.
        File.WriteAllText(path, Version2);
        Assert.True(watcher.Reload());
        Assert.Equal("enterprise", watcher.Current.TierOf("acme"));
    }

    [Fact]
    public void Reload_after_dispose_does_nothing()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        var watcher = new TenantDirectoryWatcher(path);
        var good = watcher.Current;
        watcher.Dispose();
        watcher.Dispose(); // idempotent

        File.WriteAllText(path, Version2);

        Assert.False(watcher.Reload());
        Assert.Same(good, watcher.Current);
    }

    [Fact]
    public async Task File_written_in_place_is_picked_up()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromMilliseconds(50));
        var sawVersion2 = WhenReloaded(watcher, IsVersion2);

        File.WriteAllText(path, Version2);

        var directory = await sawVersion2.WaitAsync(EventTimeout);
        Assert.Same(directory, watcher.Current);
        Assert.Equal(2, directory.TenantCount);
    }

    [Fact]
    public async Task File_replaced_by_rename_is_picked_up()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromMilliseconds(50));
        var sawVersion2 = WhenReloaded(watcher, IsVersion2);

        this.dir.ReplaceByRename("tenants.yaml", Version2);

        var directory = await sawVersion2.WaitAsync(EventTimeout);
        Assert.Equal("pro", directory.TierOf("globex"));
        Assert.Equal("pro", watcher.Current.TierOf("globex"));
    }

    [Fact]
    public async Task Bad_file_on_disk_raises_ReloadFailed_and_keeps_serving()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromMilliseconds(50));
        var good = watcher.Current;
        var failure = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.ReloadFailed += ex =>
        {
            // Only the complete bad file counts: a reload may catch the write half done.
            if (ex.Message.Contains("unknown tier 'gold'", StringComparison.Ordinal))
            {
                failure.TrySetResult(ex);
            }
        };

        this.dir.ReplaceByRename("tenants.yaml", Broken);

        var ex = await failure.Task.WaitAsync(EventTimeout);
        Assert.IsType<TenantDirectoryException>(ex);
        Assert.Same(good, watcher.Current);
        Assert.Equal("pro", watcher.Current.TierOf("acme"));
    }

    [Fact]
    public async Task Other_files_in_the_folder_do_not_reload_the_directory()
    {
        var path = this.dir.Write("tenants.yaml", Version1);
        using var watcher = new TenantDirectoryWatcher(path, TimeSpan.FromMilliseconds(50));
        var reloadedVersion1 = 0;
        watcher.Reloaded += d => Interlocked.Add(ref reloadedVersion1, d.TierOf("acme") == "pro" ? 1 : 0);
        var sawVersion2 = WhenReloaded(watcher, IsVersion2);

        // A neighbour changes; a watcher reacting to it would re-read our unchanged file (version 1).
        // The pause gives such a wrong reload time to happen; it is not a timing assertion.
        this.dir.Write("other.yaml", Broken);
        this.dir.ReplaceByRename("other.json", Broken);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        File.WriteAllText(path, Version2);
        await sawVersion2.WaitAsync(EventTimeout);

        Assert.Equal(0, Volatile.Read(ref reloadedVersion1));
    }

    // Version 2 in full: a reload may read an in-place write half done, which can parse as a shorter file.
    private static bool IsVersion2(TenantDirectory d) => d.TenantCount == 2 && d.TierOf("acme") == "enterprise";

    private static Task<TenantDirectory> WhenReloaded(TenantDirectoryWatcher watcher, Func<TenantDirectory, bool> predicate)
    {
        var tcs = new TaskCompletionSource<TenantDirectory>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Reloaded += d =>
        {
            if (predicate(d))
            {
                tcs.TrySetResult(d);
            }
        };
        return tcs.Task;
    }
}
