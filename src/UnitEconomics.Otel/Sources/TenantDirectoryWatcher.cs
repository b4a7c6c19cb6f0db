using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Sources;

/// <summary>
/// Keeps a <see cref="TenantDirectory"/> in step with its file. <see cref="Current"/> is a plain volatile
/// reference, swapped whole on each good reload, so the span path reads it without locking. A bad new
/// file never replaces a good directory: it raises <see cref="ReloadFailed"/> and the last good one stays.
/// The watching and debouncing are <see cref="WatchedFiles{T}"/>'s, shared with the price catalog.
/// </summary>
public sealed class TenantDirectoryWatcher : IDisposable
{
    private readonly WatchedFiles<TenantDirectory> file;

    /// <summary>Loads <paramref name="path"/> now and watches it for changes.</summary>
    /// <param name="path">The tenant directory file (YAML or JSON).</param>
    /// <param name="debounce">How long the file must stay quiet before it is re-read (editors write in bursts); 250 ms by default.</param>
    /// <exception cref="TenantDirectoryException">The first load failed: there is no good directory to fall back on.</exception>
    /// <param name="infra">
    /// Supplies infrastructure cost from outside the file (a cloud bill) on every load; its files are
    /// watched too. Null: the file's hand-typed figures.
    /// </param>
    public TenantDirectoryWatcher(string path, TimeSpan? debounce = null, IInfraCostSource? infra = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        this.Path = System.IO.Path.GetFullPath(path);
        var fullPath = this.Path;
        Func<TenantDirectory> load = infra is null ? () => TenantDirectory.Load(fullPath) : () => WithInfra(TenantDirectory.Load(fullPath), infra);

        // The paths to watch beside the file are known once it is read: read it first (the watched set is
        // then fixed; a bill moved to another path is read on the next reload, watched after a restart).
        string[] watched = infra is null ? [fullPath] : [fullPath, .. infra.WatchedPaths(load())];
        this.file = new WatchedFiles<TenantDirectory>(watched, load, debounce);
        this.file.Reloaded += directory => this.Reloaded?.Invoke(directory);
        this.file.ReloadFailed += ex => this.ReloadFailed?.Invoke(ex);
    }

    /// <summary>Raised after a new directory has replaced <see cref="Current"/>.</summary>
    public event Action<TenantDirectory>? Reloaded;

    /// <summary>Raised when a changed file could not be loaded; <see cref="Current"/> is unchanged. Usually a <see cref="TenantDirectoryException"/>.</summary>
    public event Action<Exception>? ReloadFailed;

    /// <summary>The full path of the watched file.</summary>
    public string Path { get; }

    /// <summary>The last directory that loaded without error.</summary>
    public TenantDirectory Current => this.file.Current;

    /// <summary>
    /// Re-reads the file now. On success swaps <see cref="Current"/> and raises <see cref="Reloaded"/>;
    /// on failure keeps <see cref="Current"/> and raises <see cref="ReloadFailed"/>. Never throws for a bad file.
    /// </summary>
    /// <returns>True when a new directory was loaded.</returns>
    public bool Reload() => this.file.Reload();

    public void Dispose() => this.file.Dispose();

    private static TenantDirectory WithInfra(TenantDirectory directory, IInfraCostSource infra) =>
        infra.Compute(directory) is { } costs ? directory.WithInfraCosts(costs) : directory;
}
