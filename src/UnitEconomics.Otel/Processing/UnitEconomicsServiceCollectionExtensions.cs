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
/// </summary>
public sealed class TenantDirectorySource : IDisposable
{
    private readonly TenantDirectoryWatcher? watcher;
    private volatile TenantDirectory current;

    /// <param name="infra">Infrastructure cost from outside the file (a cloud bill), when the host registers one.</param>
    public TenantDirectorySource(IOptions<UnitEconomicsOptions> options, ILoggerFactory? loggers = null, IInfraCostSource? infra = null)
    {
        var file = options.Value.TenantFile;
        if (string.IsNullOrEmpty(file))
        {
            this.current = TenantDirectory.Empty;
            return;
        }

        this.watcher = new TenantDirectoryWatcher(file, infra: infra);
        this.current = this.watcher.Current;
        var logger = loggers?.CreateLogger("UnitEconomics.Otel.Tenants");
        if (infra is null && this.current.Infra is not null)
        {
            // The section is for a host's IInfraCostSource (UnitEconomics.Books reads cloud bills); without one it would be ignored unseen.
            logger?.LogWarning("Tenant directory {File} has an infra: section but no IInfraCostSource is registered; the typed infra_cost_per_month figures are used.", file);
        }

        this.watcher.Reloaded += directory =>
        {
            this.current = directory;
            this.Reloaded?.Invoke(directory);
            logger?.LogInformation("Tenant directory {File} reloaded: {Count} tenants.", file, directory.TenantCount);
        };
        this.watcher.ReloadFailed += ex =>
        {
            UnitEconomics.Otel.Diagnostics.UnitEconomicsEventSource.Log.ReloadFailed(file, ex.Message);
            logger?.LogError("Tenant directory {File} was not reloaded, the previous one stays in use: {Error}", file, ex.Message);
        };
    }

    public TenantDirectorySource(TenantDirectory directory)
    {
        this.current = directory;
    }

    /// <summary>Raised after the file was reloaded (sinks republish their tenant gauges).</summary>
    public event Action<TenantDirectory>? Reloaded;

    public TenantDirectory Current => this.current;

    public void Replace(TenantDirectory directory)
    {
        this.current = directory;
        this.Reloaded?.Invoke(directory);
    }

    public void Dispose() => this.watcher?.Dispose();
}
