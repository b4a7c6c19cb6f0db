using UnitEconomics.Books.Focus.CloudBill;
using UnitEconomics.Cli.Reporting;

namespace UnitEconomics.Cli.Focus;

/// <summary>
/// Puts the cloud bill into a report: when the tenant file names one, infra per tier (the margin table)
/// and per tenant comes from the bill, with shared rows split by the window's own AI cost or calls.
/// </summary>
public static class CloudBillReport
{
    /// <summary>Replaces <paramref name="inputs"/>' directory with one carrying the bill's figures; no-op without a bill.</summary>
    public static CloudBillAllocation? Apply(ReportInputs inputs)
    {
        if (CloudBillSettings.From(inputs.Directory) is not { } settings)
        {
            return null;
        }

        var basis = new AllocationBasis(
            inputs.Tenants.ToDictionary(t => t.Key, t => t.Value.Cost, StringComparer.Ordinal),
            inputs.Tenants.ToDictionary(t => t.Key, t => t.Value.Calls, StringComparer.Ordinal));
        var allocation = CloudBillInfraSource.Allocate(settings, inputs.Directory, basis);
        inputs.Directory = inputs.Directory.WithInfraCosts(allocation.Costs);
        return allocation;
    }
}
