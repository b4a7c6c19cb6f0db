using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Otel.Engine;

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
        // The engine hands the sink the tenant file and the catalog in force, and each reload of them.
        services.TryAddSingleton(_ => new PrometheusCostSink(registry));
        services.AddSingleton<ICostSink>(sp => sp.GetRequiredService<PrometheusCostSink>());
        return services;
    }

    /// <inheritdoc cref="AddUnitEconomicsPrometheus(IServiceCollection, CollectorRegistry?)"/>
    public static TracerProviderBuilder AddUnitEconomicsPrometheus(this TracerProviderBuilder builder, CollectorRegistry? registry = null) =>
        builder.ConfigureServices(services => services.AddUnitEconomicsPrometheus(registry));
}
