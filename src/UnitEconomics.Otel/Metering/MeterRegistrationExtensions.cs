using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Otel.Metering;

/// <summary>Registration of the OpenTelemetry Meter sink.</summary>
public static class MeterRegistrationExtensions
{
    /// <summary>Reports the cost metrics as OpenTelemetry instruments of the meter <see cref="MeterCostSink.MeterName"/>.</summary>
    public static IServiceCollection AddUnitEconomicsMeter(this IServiceCollection services)
    {
        // The engine hands the sink the catalog and tenants in force, and each reload of them.
        services.TryAddSingleton(sp => new MeterCostSink(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<ICostSink>(sp => sp.GetRequiredService<MeterCostSink>());
        return services;
    }

    /// <inheritdoc cref="AddUnitEconomicsMeter(IServiceCollection)"/>
    public static TracerProviderBuilder AddUnitEconomicsMeter(this TracerProviderBuilder builder) =>
        builder.ConfigureServices(services => services.AddUnitEconomicsMeter());

    /// <summary>Subscribes a meter provider to the cost instruments.</summary>
    public static MeterProviderBuilder AddUnitEconomicsInstrumentation(this MeterProviderBuilder builder) => builder.AddMeter(MeterCostSink.MeterName);
}
