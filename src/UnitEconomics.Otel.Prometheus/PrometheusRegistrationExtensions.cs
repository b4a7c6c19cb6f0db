using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Processing;

namespace UnitEconomics.Otel.Prometheus;

/// <summary>Adds the prometheus-net sink to the engine's sinks.</summary>
public static class PrometheusRegistrationExtensions
{
    /// <summary>
    /// Exports the cost metrics through prometheus-net, into <paramref name="registry"/> or the default
    /// registry. Expose them with prometheus-net's <c>MetricServer</c> or <c>app.MapMetrics()</c>.
    /// </summary>
    public static IServiceCollection AddUnitEconomicsPrometheus(this IServiceCollection services, CollectorRegistry? registry = null)
    {
        services.TryAddSingleton(sp =>
        {
            var sink = new PrometheusCostSink(registry);

            // The gauges follow the tenant file and the catalog as they are reloaded.
            if (sp.GetService<TenantDirectorySource>() is { } tenants)
            {
                sink.PublishTenants(tenants.Current);
                tenants.Reloaded += sink.PublishTenants;
            }

            if (sp.GetService<PriceCatalogSource>() is { } catalog)
            {
                sink.PublishPrices(catalog.Current, DateTimeOffset.UtcNow);
                catalog.Reloaded += c => sink.PublishPrices(c, DateTimeOffset.UtcNow);
            }

            return sink;
        });
        services.AddSingleton<ICostSink>(sp => sp.GetRequiredService<PrometheusCostSink>());
        return services;
    }

    /// <inheritdoc cref="AddUnitEconomicsPrometheus(IServiceCollection, CollectorRegistry?)"/>
    public static TracerProviderBuilder AddUnitEconomicsPrometheus(this TracerProviderBuilder builder, CollectorRegistry? registry = null) =>
        builder.ConfigureServices(services => services.AddUnitEconomicsPrometheus(registry));
}
