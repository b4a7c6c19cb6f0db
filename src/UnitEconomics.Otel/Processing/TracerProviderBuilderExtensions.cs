using Microsoft.Extensions.DependencyInjection;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Processing;

// In the namespace of the builder it extends, as opentelemetry-dotnet's own Add* extensions are.
namespace OpenTelemetry.Trace;

/// <summary>Registration in the opentelemetry-dotnet style.</summary>
public static class TracerProviderBuilderExtensions
{
    /// <summary>
    /// Prices GenAI spans in-process: adds the cost engine (options from the <c>UnitEconomics</c>
    /// configuration section, then <paramref name="configure"/>) and its span processor. Sinks
    /// (Prometheus, OTel Meter, InfluxDB) are registered by their own <c>AddUnitEconomics…</c> calls.
    /// </summary>
    public static TracerProviderBuilder AddUnitEconomics(this TracerProviderBuilder builder, Action<UnitEconomicsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureServices(services => services.AddUnitEconomicsEngine(configure));
        return builder.AddProcessor(sp => new GenAiCostProcessor(sp.GetRequiredService<CostEngine>()));
    }

    /// <summary>Prices GenAI spans in-process with an engine the app built itself (its own catalog, tenants and sinks).</summary>
    public static TracerProviderBuilder AddUnitEconomics(this TracerProviderBuilder builder, CostEngine engine)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(engine);
        return builder.AddProcessor(new GenAiCostProcessor(engine));
    }
}
