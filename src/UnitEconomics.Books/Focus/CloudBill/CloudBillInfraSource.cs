using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Focus.CloudBill;

/// <summary>
/// The engine's <see cref="IInfraCostSource"/> for a FOCUS cloud bill: when the tenant file's <c>infra:</c>
/// section names a bill, every (re)load of the file reads the bill, allocates it and replaces the tiers'
/// hand-typed <c>infra_cost_per_month</c>; the bill's file or folder is watched with the tenant file. A
/// bad bill refuses the load (the watcher keeps the last good directory) with a one-line message.
/// </summary>
/// <param name="basis">The AI cost and calls per tenant that shared rows are split by; none: split by customers.</param>
public sealed class CloudBillInfraSource(Func<AllocationBasis>? basis = null) : IInfraCostSource
{
    /// <summary>The allocation of the last successful load, for logs; null before one or without a bill.</summary>
    public CloudBillAllocation? Last { get; private set; }

    public IReadOnlyList<string> WatchedPaths(TenantDirectory directory) =>
        Settings(directory) is { } settings ? [settings.BillPath] : [];

    public InfraCosts? Compute(TenantDirectory directory)
    {
        if (Settings(directory) is not { } settings)
        {
            return null;
        }

        var allocation = Allocate(settings, directory, basis?.Invoke() ?? AllocationBasis.None);
        this.Last = allocation;
        return allocation.Costs;
    }

    /// <summary>Reads and allocates the bill; its problems come out as a <see cref="TenantDirectoryException"/> naming the tenant file and the bill's row and column.</summary>
    public static CloudBillAllocation Allocate(CloudBillSettings settings, TenantDirectory directory, AllocationBasis basis)
    {
        try
        {
            // Reloads run on the watcher's timer thread and the CLI has no synchronization context: waiting is safe.
            return CloudBillAllocator.LoadAndAllocateAsync(settings, directory, basis).GetAwaiter().GetResult();
        }
        catch (FocusFormatException ex)
        {
            throw new TenantDirectoryException($"{directory.SourceName}: the cloud bill is refused: {ex.Message}", ex);
        }
    }

    private static CloudBillSettings? Settings(TenantDirectory directory) => CloudBillSettings.From(directory);
}
