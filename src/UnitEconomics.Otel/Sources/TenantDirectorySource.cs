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
