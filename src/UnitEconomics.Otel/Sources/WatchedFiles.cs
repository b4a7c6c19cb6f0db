namespace UnitEconomics.Otel.Sources;

/// <summary>
/// A value loaded from one or more files and kept in step with them: any change to any of the files
/// (after the burst of writes settles) re-runs the loader. <see cref="Current"/> is a plain volatile
/// reference, swapped whole on each good reload, so hot paths read it without locking. A load that
/// fails never replaces a good value: it raises <see cref="ReloadFailed"/> and the last good one stays.
/// The tenant directory and the layered price catalog both reload through it.
/// </summary>
/// <typeparam name="T">What the files load into.</typeparam>
internal sealed class WatchedFiles<T> : IDisposable
    where T : class
{
    /// <summary>Editors and config tools write in bursts; one reload once they are done.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);

    private readonly Func<T> load;
    private readonly TimeSpan debounce;
    private readonly FileSystemWatcher[] watchers;
    private readonly HashSet<string> fileNames;
    private readonly HashSet<string> folders;
    private readonly Timer timer;

    // Serializes reloads (debounce timer and explicit Reload calls) so an older read can never
    // overwrite a newer one. Readers of Current never take it.
    private readonly Lock reloadGate = new();
    private volatile T current;
    private volatile bool disposed;

    /// <summary>Loads now through <paramref name="load"/> and watches <paramref name="paths"/> for changes.</summary>
    /// <param name="paths">The files the value is read from (at least one).</param>
    /// <param name="load">Reads the files; throws when they are not valid.</param>
    /// <param name="debounce">How long the files must stay quiet before they are re-read; 250 ms by default.</param>
    /// <exception cref="Exception">Whatever the first load throws: there is no good value to fall back on.</exception>
    public WatchedFiles(IEnumerable<string> paths, Func<T> load, TimeSpan? debounce = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(load);
        this.Paths = [.. paths.Select(p =>
        {
            ArgumentException.ThrowIfNullOrEmpty(p, nameof(paths));
            return Path.GetFullPath(p);
        })];
        if (this.Paths.Count == 0)
        {
            throw new ArgumentException("At least one file is needed.", nameof(paths));
        }

        this.load = load;
        this.debounce = debounce ?? DefaultDebounce;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.debounce, TimeSpan.Zero, nameof(debounce));
        var comparer = OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
        this.fileNames = new HashSet<string>(this.Paths.Select(Path.GetFileName)!, comparer);
        this.current = load();

        this.timer = new Timer(static state => ((WatchedFiles<T>)state!).OnQuiet(), this, Timeout.Infinite, Timeout.Infinite);

        // Directories, not files, are watched: editors and config tools replace a file by writing a
        // temporary one and renaming it over the original, which a watch on the file itself would miss.
        // Events for a neighbour with the same name as a watched file in another folder only cost a re-read.
        // A path that is a folder (a bill delivered as one file a month) is watched itself: any file in it counts.
        this.folders = new HashSet<string>(this.Paths.Where(Directory.Exists), comparer);
        this.watchers = [.. this.Paths.Select(p => this.folders.Contains(p) ? p : Path.GetDirectoryName(p)!).Distinct(comparer).Select(this.Watch)];
    }

    /// <summary>Raised after a new value has replaced <see cref="Current"/>.</summary>
    public event Action<T>? Reloaded;

    /// <summary>Raised when changed files could not be loaded; <see cref="Current"/> is unchanged.</summary>
    public event Action<Exception>? ReloadFailed;

    /// <summary>The full paths of the watched files.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The last value that loaded without error.</summary>
    public T Current => this.current;

    /// <summary>
    /// Re-reads the files now. On success swaps <see cref="Current"/> and raises <see cref="Reloaded"/>;
    /// on failure keeps <see cref="Current"/> and raises <see cref="ReloadFailed"/>. Never throws for bad files.
    /// </summary>
    /// <returns>True when a new value was loaded.</returns>
    public bool Reload()
    {
        T? loaded = null;
        Exception? failure = null;
        lock (this.reloadGate)
        {
            if (this.disposed)
            {
                return false;
            }

            try
            {
                loaded = this.load();
                this.current = loaded;
            }
            catch (Exception ex)
            {
                // Whatever the loader throws, the last good value must survive it.
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

        foreach (var watcher in this.watchers)
        {
            watcher.EnableRaisingEvents = false;
            watcher.Dispose();
        }

        this.timer.Dispose();
    }

    private FileSystemWatcher Watch(string directory)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += this.OnFileEvent;
        watcher.Created += this.OnFileEvent;
        watcher.Deleted += this.OnFileEvent;
        watcher.Renamed += this.OnRenamed;
        watcher.Error += (_, _) => this.Schedule(); // events were lost: re-read to be sure
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (this.IsOurs(e.Name) || this.folders.Contains(((FileSystemWatcher)sender).Path))
        {
            this.Schedule();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        // Renamed onto a file (an editor's save) or away from it (its first step): either way, re-read.
        if (this.IsOurs(e.Name) || this.IsOurs(e.OldName) || this.folders.Contains(((FileSystemWatcher)sender).Path))
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
        return this.fileNames.Contains(name) || name.StartsWith("..", StringComparison.Ordinal);
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
            // Only a subscriber's handler can throw here (bad files are reported through ReloadFailed).
            // On a timer thread an escaping exception would end the host process; the watcher keeps going.
        }
    }
}
