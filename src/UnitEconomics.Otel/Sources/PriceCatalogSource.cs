using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Sources;

/// <summary>
/// The price catalog in use: the default catalog and the configured files layered on it. The files are
/// reloaded, all layers together, when any of them changes; a bad edit keeps the last good catalog.
/// </summary>
public sealed class PriceCatalogSource : IDisposable
{
    private readonly WatchedFiles<PriceCatalog>? watcher;
    private volatile PriceCatalog current;

    public PriceCatalogSource(IOptions<UnitEconomicsOptions> options, ILoggerFactory? loggers = null)
    {
        var o = options.Value;
        var files = o.PriceCatalogs.ToArray();
        var useDefault = o.UseDefaultCatalog;
        if (files.Length == 0)
        {
            this.current = useDefault ? PriceCatalog.LoadDefault() : PriceCatalog.Empty;
            return;
        }

        this.watcher = new WatchedFiles<PriceCatalog>(files, () => useDefault ? PriceCatalog.LoadDefaultAnd(files) : PriceCatalog.Load(files));
        this.current = this.watcher.Current;
        var logger = loggers?.CreateLogger("UnitEconomics.Otel.Pricing");
        var names = string.Join(", ", files);
        this.watcher.Reloaded += catalog =>
        {
            this.Replace(catalog);
            logger?.LogInformation("Price catalog {Files} reloaded: {Count} entries.", names, catalog.Entries.Count);
        };
        this.watcher.ReloadFailed += ex =>
        {
            UnitEconomics.Otel.Diagnostics.UnitEconomicsEventSource.Log.ReloadFailed(names, ex.Message);
            logger?.LogError("Price catalog {Files} was not reloaded, the previous one stays in use: {Error}", names, ex.Message);
        };
    }

    public PriceCatalogSource(PriceCatalog catalog)
    {
        this.current = catalog;
    }

    public PriceCatalog Current => this.current;

    /// <summary>Raised after a new catalog replaced the current one.</summary>
    public event Action<PriceCatalog>? Reloaded;

    /// <summary>Swaps in a new catalog; readers see the old or the new one whole, never a mix.</summary>
    public void Replace(PriceCatalog catalog)
    {
        this.current = catalog;
        this.Reloaded?.Invoke(catalog);
    }

    /// <summary>Re-reads the catalog files now (no-op without files); true when a new catalog was loaded.</summary>
    public bool Reload() => this.watcher?.Reload() == true;

    public void Dispose() => this.watcher?.Dispose();
}
