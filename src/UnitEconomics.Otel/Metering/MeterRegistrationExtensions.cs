using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Processing;

namespace UnitEconomics.Otel.Metering;

/// <summary>Registration of the OpenTelemetry Meter sink.</summary>
public static class MeterRegistrationExtensions
{
    /// <summary>Reports the cost metrics as OpenTelemetry instruments of the meter <see cref="MeterCostSink.MeterName"/>.</summary>
    public static IServiceCollection AddUnitEconomicsMeter(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var sink = new MeterCostSink(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>());
            if (sp.GetService<TenantDirectorySource>() is { } tenants)
            {
                sink.PublishTenants(tenants.Current);
                tenants.Reloaded += sink.PublishTenants;
            }

            if (sp.GetService<PriceCatalogSource>() is { } catalog)
            {
                sink.PublishPrices(catalog.Current);
                catalog.Reloaded += sink.PublishPrices;
            }

            return sink;
        });
        services.AddSingleton<ICostSink>(sp => sp.GetRequiredService<MeterCostSink>());
        return services;
    }

    /// <inheritdoc cref="AddUnitEconomicsMeter(IServiceCollection)"/>
    public static TracerProviderBuilder AddUnitEconomicsMeter(this TracerProviderBuilder builder) =>
        builder.ConfigureServices(services => services.AddUnitEconomicsMeter());

    /// <summary>Subscribes a meter provider to the cost instruments.</summary>
    public static MeterProviderBuilder AddUnitEconomicsInstrumentation(this MeterProviderBuilder builder) => builder.AddMeter(MeterCostSink.MeterName);
}
