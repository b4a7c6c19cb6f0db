using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Reloading;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Processing;

/// <summary>Registers the cost engine and what it reads (catalog, tenants) in a service collection.</summary>
public static class UnitEconomicsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine, bound to the <c>UnitEconomics</c> configuration section when an
    /// <see cref="IConfiguration"/> is registered, then <paramref name="configure"/>. Idempotent.
    /// </summary>
    public static IServiceCollection AddUnitEconomicsEngine(this IServiceCollection services, Action<UnitEconomicsOptions>? configure = null)
    {
        services.AddOptions<UnitEconomicsOptions>().Configure<IServiceProvider>((options, sp) =>
        {
            sp.GetService<IConfiguration>()?.GetSection(UnitEconomicsOptions.SectionName).Bind(options);
        });
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<PriceCatalogSource>();
        services.TryAddSingleton<TenantDirectorySource>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<UnitEconomicsOptions>>().Value;
            var catalog = sp.GetRequiredService<PriceCatalogSource>();
            var tenants = sp.GetRequiredService<TenantDirectorySource>();
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("UnitEconomics.Otel");
            return new CostEngine(options, () => catalog.Current, () => tenants.Current, sp.GetServices<ICostSink>(), logger);
        });
        return services;
    }
}

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

/// <summary>
/// The tenant directory in use: empty when no file is configured (every tenant's tier is then
/// <c>unknown</c>), else the file, reloaded when it changes (a bad edit keeps the last good directory).
/// A host that reads a billing source lays its figures over the file with <see cref="ApplyFigures"/>;
/// they stay laid over every later reload of the file until replaced.
/// </summary>
public sealed class TenantDirectorySource : IDisposable
{
    private readonly TenantDirectoryWatcher? watcher;
    private readonly object swap = new();
    private TenantDirectory file;
    private TenantFigureSet? figures;
    private volatile TenantDirectory current;

    /// <param name="infra">Infrastructure cost from outside the file (a cloud bill), when the host registers one.</param>
    public TenantDirectorySource(IOptions<UnitEconomicsOptions> options, ILoggerFactory? loggers = null, IInfraCostSource? infra = null)
    {
        var path = options.Value.TenantFile;
        if (string.IsNullOrEmpty(path))
        {
            this.file = this.current = TenantDirectory.Empty;
            return;
        }

        this.watcher = new TenantDirectoryWatcher(path, infra: infra);
        this.file = this.current = this.watcher.Current;
        var logger = loggers?.CreateLogger("UnitEconomics.Otel.Tenants");
        if (infra is null && this.current.Infra is not null)
        {
            // The section is for a host's IInfraCostSource (UnitEconomics.Books reads cloud bills); without one it would be ignored unseen.
            logger?.LogWarning("Tenant directory {File} has an infra: section but no IInfraCostSource is registered; the typed infra_cost_per_month figures are used.", path);
        }

        this.watcher.Reloaded += directory =>
        {
            this.Replace(directory);
            logger?.LogInformation("Tenant directory {File} reloaded: {Count} tenants.", path, directory.TenantCount);
        };
        this.watcher.ReloadFailed += ex =>
        {
            UnitEconomics.Otel.Diagnostics.UnitEconomicsEventSource.Log.ReloadFailed(path, ex.Message);
            logger?.LogError("Tenant directory {File} was not reloaded, the previous one stays in use: {Error}", path, ex.Message);
        };
    }

    public TenantDirectorySource(TenantDirectory directory)
    {
        this.file = this.current = directory;
    }

    /// <summary>Raised after the directory changed: the file was reloaded or new figures applied (sinks republish their tenant gauges).</summary>
    public event Action<TenantDirectory>? Reloaded;

    /// <summary>The file's directory with the applied figures laid over it.</summary>
    public TenantDirectory Current => this.current;

    /// <summary>The directory as the file alone has it (a billing source reads its settings from here).</summary>
    public TenantDirectory File => this.file;

    /// <summary>Replaces the file's directory; the applied figures stay laid over it.</summary>
    public void Replace(TenantDirectory directory) => this.Publish(directory, keepFigures: true, null);

    /// <summary>Lays a billing source's figures over the file (null removes them); see <see cref="TenantDirectory.WithFigures"/>.</summary>
    public void ApplyFigures(TenantFigureSet? tenantFigures) => this.Publish(null, keepFigures: false, tenantFigures);

    public void Dispose() => this.watcher?.Dispose();

    private void Publish(TenantDirectory? newFile, bool keepFigures, TenantFigureSet? newFigures)
    {
        TenantDirectory merged;

        // The file watcher and a billing refresh can land together: one lock so neither undoes the other.
        lock (this.swap)
        {
            this.file = newFile ?? this.file;
            this.figures = keepFigures ? this.figures : newFigures;
            merged = this.file.WithFigures(this.figures);
            this.current = merged;
        }

        this.Reloaded?.Invoke(merged);
    }
}
