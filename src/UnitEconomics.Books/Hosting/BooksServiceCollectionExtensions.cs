using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;
using UnitEconomics.Books.Focus.CloudBill;
using UnitEconomics.Books.Revenue;
using UnitEconomics.Otel.Sources;
using UnitEconomics.Otel.Tenants;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the books a service keeps beside the engine.</summary>
public static class BooksServiceCollectionExtensions
{
    /// <summary>
    /// The infra cost from the cloud bill the tenant file names (docs/tenants.md), shared rows split by
    /// what this process counted in <paramref name="registry"/>; and revenue from the billing source in the
    /// tenant file's revenue section, refreshed in the background, its health on the same registry.
    /// </summary>
    public static IServiceCollection AddUnitEconomicsBooks(this IServiceCollection services, Func<IServiceProvider, CollectorRegistry> registry)
    {
        services.TryAddSingleton<IInfraCostSource>(sp => new CloudBillInfraSource(() => RegistryAllocationBasis.Basis(registry(sp))));
        services.TryAddSingleton(sp => new RevenueRefresher(sp.GetRequiredService<TenantDirectorySource>()));
        services.AddHostedService(sp => new RevenueRefreshService(
            sp.GetRequiredService<RevenueRefresher>(), registry(sp), sp.GetRequiredService<ILogger<RevenueRefreshService>>()));
        return services;
    }
}
