namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// Keeps a <see cref="TenantDirectory"/> in step with its file. <see cref="Current"/> is a plain volatile
/// reference, swapped whole on each good reload, so the span path reads it without locking. A bad new
/// file never replaces a good directory: it raises <see cref="ReloadFailed"/> and the last good one stays.
/// </summary>
public sealed class TenantDirectoryWatcher : IDisposable
{
    private static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);

    private readonly string fileName;
    private readonly TimeSpan debounce;
    private readonly FileSystemWatcher watcher;
    private readonly Timer timer;

    // Serializes reloads (watcher timer and explicit Reload calls) so an older read can never
    // overwrite a newer one. Readers of Current never take it.
    private readonly Lock reloadGate = new();
    private volatile TenantDirectory current;
    private volatile bool disposed;

    /// <summary>Loads <paramref name="path"/> now and watches it for changes.</summary>
    /// <param name="path">The tenant directory file (YAML or JSON).</param>
    /// <param name="debounce">How long the file must stay quiet before it is re-read (editors write in bursts); 250 ms by default.</param>
    /// <exception cref="TenantDirectoryException">The first load failed: there is no good directory to fall back on.</exception>
    public TenantDirectoryWatcher(string path, TimeSpan? debounce = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        this.Path = System.IO.Path.GetFullPath(path);
        this.debounce = debounce ?? DefaultDebounce;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.debounce, TimeSpan.Zero, nameof(debounce));
        this.fileName = System.IO.Path.GetFileName(this.Path);
        this.current = TenantDirectory.Load(this.Path);

        this.timer = new Timer(static state => ((TenantDirectoryWatcher)state!).OnQuiet(), this, Timeout.Infinite, Timeout.Infinite);

        // The directory, not the file, is watched: editors and config tools replace a file by writing a
        // temporary one and renaming it over the original, which a watch on the file itself would miss.
        this.watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(this.Path)!)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        this.watcher.Changed += this.OnFileEvent;
        this.watcher.Created += this.OnFileEvent;
        this.watcher.Deleted += this.OnFileEvent;
        this.watcher.Renamed += this.OnRenamed;
        this.watcher.Error += (_, _) => this.Schedule(); // events were lost: re-read to be sure
        this.watcher.EnableRaisingEvents = true;
    }

    /// <summary>Raised after a new directory has replaced <see cref="Current"/>.</summary>
    public event Action<TenantDirectory>? Reloaded;

    /// <summary>Raised when a changed file could not be loaded; <see cref="Current"/> is unchanged. Usually a <see cref="TenantDirectoryException"/>.</summary>
    public event Action<Exception>? ReloadFailed;

    /// <summary>The full path of the watched file.</summary>
    public string Path { get; }

    /// <summary>The last directory that loaded without error.</summary>
    public TenantDirectory Current => this.current;

    /// <summary>
    /// Re-reads the file now. On success swaps <see cref="Current"/> and raises <see cref="Reloaded"/>;
    /// on failure keeps <see cref="Current"/> and raises <see cref="ReloadFailed"/>. Never throws for a bad file.
    /// </summary>
    /// <returns>True when a new directory was loaded.</returns>
    public bool Reload()
    {
        TenantDirectory? loaded = null;
        Exception? failure = null;
        lock (this.reloadGate)
        {
            if (this.disposed)
            {
                return false;
            }

            try
            {
                loaded = TenantDirectory.Load(this.Path);
                this.current = loaded;
            }
            catch (Exception ex)
            {
                // Load reports every problem with the file as TenantDirectoryException; anything else is
                // still a failed reload, and the last good directory must survive it too.
                failure = ex;
            }
        }

        // Handlers run outside the gate so a slow or re-entrant subscriber cannot stall other reloads.
        if (loaded is null)
        {
            this.ReloadFailed?.Invoke(failure!);
            return false;
        }

        this.Reloaded?.Invoke(loaded);
        return true;
    }

    public void Dispose()
    {
        lock (this.reloadGate)
        {
            if (this.disposed)
            {
                return;
            }

            this.disposed = true;
        }

        this.watcher.EnableRaisingEvents = false;
        this.watcher.Dispose();
        this.timer.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (this.IsOurs(e.Name))
        {
            this.Schedule();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        // Renamed onto the file (an editor's save) or away from it (its first step): either way, re-read.
        if (this.IsOurs(e.Name) || this.IsOurs(e.OldName))
        {
            this.Schedule();
        }
    }

    private bool IsOurs(string? name)
    {
        if (name is null)
        {
            return false;
        }

        // Kubernetes mounts a ConfigMap as symlinks through "..data", swapped atomically on update: the
        // file's own name never shows up in the events, so a change of "..data"-style entries counts too.
        return string.Equals(name, this.fileName, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("..", StringComparison.Ordinal);
    }

    private void Schedule()
    {
        if (this.disposed)
        {
            return;
        }

        try
        {
            // Each event pushes the deadline back: one reload once the burst of writes is over.
            this.timer.Change(this.debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the check and the call: nothing left to reload.
        }
    }

    private void OnQuiet()
    {
        try
        {
            this.Reload();
        }
        catch (Exception)
        {
            // Only a subscriber's handler can throw here (a bad file is reported through ReloadFailed).
            // On a timer thread an escaping exception would end the host process; the watcher keeps going.
        }
    }
}
