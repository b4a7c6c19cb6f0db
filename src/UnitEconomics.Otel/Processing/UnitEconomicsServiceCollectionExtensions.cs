using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Sources;
using UnitEconomics.Otel.Tenants;

// In the namespace of the collection it extends, as Microsoft.Extensions' own Add* extensions are.
namespace Microsoft.Extensions.DependencyInjection;

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
            var engine = new CostEngine(options, () => catalog.Current, () => tenants.Current, sp.GetServices<ICostSink>(), logger);

            // The one place sinks are wired to reloads: the engine hands each new catalog and tenant file on.
            catalog.Reloaded += engine.CatalogChanged;
            tenants.Reloaded += engine.TenantsChanged;
            return engine;
        });
        return services;
    }
}
