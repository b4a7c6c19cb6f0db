using System.Text.Json;
using UnitEconomics.Books.Focus.Check;
using UnitEconomics.Books.Focus.Files;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Focus.CloudBill;

/// <summary>What the shared rows are split by: each tenant's AI cost and model calls over the window the figures are for.</summary>
public sealed record AllocationBasis(IReadOnlyDictionary<string, decimal> TenantCost, IReadOnlyDictionary<string, long> TenantRequests)
{
    public static AllocationBasis None { get; } = new(new Dictionary<string, decimal>(), new Dictionary<string, long>());
}

/// <summary>The cloud bill allocated, with what went where (for the report and the logs).</summary>
/// <param name="Costs">Infra per tier and per tenant, per month.</param>
/// <param name="Periods">The billing periods (months) averaged.</param>
/// <param name="RowsRead">Rows in the bill's files.</param>
/// <param name="RowsIncluded">Rows of the product in those periods.</param>
/// <param name="TenantTagged">Their cost tagged to a listed tenant, per month.</param>
/// <param name="TierTagged">Their cost tagged to a defined tier (and no listed tenant), per month.</param>
/// <param name="Shared">Their cost tagged to neither, split among tiers, per month.</param>
/// <param name="UnknownTagRows">Rows whose tag named a tenant or tier the directory does not have (counted as shared).</param>
/// <param name="SplitUsed">The split applied to the shared cost (the chosen one, or by customers when the window had no AI cost or calls).</param>
public sealed record CloudBillAllocation(
    InfraCosts Costs,
    IReadOnlyList<DateTime> Periods,
    int RowsRead,
    int RowsIncluded,
    decimal TenantTagged,
    decimal TierTagged,
    decimal Shared,
    int UnknownTagRows,
    SharedSplit SplitUsed);

/// <summary>
/// Allocates the product's rows of a FOCUS cloud bill to tiers and tenants (docs/tenants.md, "Infra cost
/// from the cloud bill"): a row tagged with a listed tenant is that tenant's; one tagged with a defined tier
/// is that tier's, shared among its tenants; any other row is shared among tiers by the chosen split, and
/// within a tier among its tenants by the same measure. The figures are per month: the chosen cost column
/// summed over the latest billing periods and divided by their number. The whole bill is validated before
/// any of it is used.
/// </summary>
public static class CloudBillAllocator
{
    public const string UsdCurrency = "USD";

    public static async Task<CloudBillAllocation> LoadAndAllocateAsync(CloudBillSettings settings, TenantDirectory directory, AllocationBasis basis, CancellationToken cancel = default) =>
        Allocate(await FocusFileReader.ReadPathAsync(settings.BillPath, cancel), settings, directory, basis);

    public static CloudBillAllocation Allocate(IReadOnlyList<FocusTable> bill, CloudBillSettings settings, TenantDirectory directory, AllocationBasis basis)
    {
        var rows = new List<(DateTime Period, decimal Cost, string? Tenant, string? Tier, bool UnknownTag)>();
        var read = 0;
        foreach (var table in bill)
        {
            FocusConformance.Check(table, Required(settings, table), strictDateTimes: false);
            read += table.Rows.Count;
            for (var r = 0; r < table.Rows.Count; r++)
            {
                var tags = Tags(table, r);
                if (!Included(table, r, tags, settings.Include))
                {
                    continue;
                }

                var currency = table.Text(r, FocusSpec.BillingCurrency);
                if (currency != UsdCurrency)
                {
                    throw table.Fail(r, FocusSpec.BillingCurrency, $"'{currency}': margins are in USD; export the bill in USD (or leave this row out with include rules)");
                }

                var tenant = tags.GetValueOrDefault(settings.TenantTag);
                var tier = tags.GetValueOrDefault(settings.TierTag);
                var knownTenant = tenant is not null && directory.TryGetTenant(tenant, out _) ? tenant : null;
                var knownTier = tier is not null && directory.TryGetTier(tier, out _) ? tier : null;
                var unknown = (tenant is not null && knownTenant is null) || (tier is not null && knownTier is null);
                rows.Add((table.DateTime(r, FocusSpec.BillingPeriodStart)!.Value, table.Decimal(r, settings.CostColumn)!.Value, knownTenant, knownTier, unknown));
            }
        }

        var periods = rows.Select(x => x.Period).Distinct().OrderDescending().Take(settings.Months).Order().ToList();
        var inPeriods = rows.Where(x => periods.Contains(x.Period)).ToList();
        var months = Math.Max(periods.Count, 1);

        var direct = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var pool = directory.Tiers.Keys.ToDictionary(t => t, _ => 0m, StringComparer.Ordinal);
        decimal tenantTagged = 0m, tierTagged = 0m, shared = 0m;
        foreach (var row in inPeriods)
        {
            var monthly = row.Cost / months;
            if (row.Tenant is { } tenant)
            {
                direct[tenant] = direct.GetValueOrDefault(tenant) + monthly;
                tenantTagged += monthly;
            }
            else if (row.Tier is { } tier)
            {
                pool[tier] += monthly;
                tierTagged += monthly;
            }
            else
            {
                shared += monthly;
            }
        }

        var split = settings.SharedSplit;
        var tierWeights = directory.Tiers.Keys.ToDictionary(t => t, t => TierWeight(directory, basis, split, t), StringComparer.Ordinal);
        if (tierWeights.Values.Sum() == 0m && split != SharedSplit.Customers)
        {
            split = SharedSplit.Customers; // no AI cost or calls to split by (a quiet window): by customers rather than not at all
            tierWeights = directory.Tiers.Keys.ToDictionary(t => t, t => TierWeight(directory, basis, split, t), StringComparer.Ordinal);
        }

        var totalWeight = tierWeights.Values.Sum();
        foreach (var tier in directory.Tiers.Keys)
        {
            pool[tier] += totalWeight == 0m ? 0m : shared * tierWeights[tier] / totalWeight;
        }

        var perTier = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var perTenant = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var tier in directory.Tiers.Keys)
        {
            var members = directory.TenantsOfTier(tier);
            var weights = members.Select(t => TenantWeight(basis, split, t.Id)).ToList();
            var sum = weights.Sum();
            for (var i = 0; i < members.Count; i++)
            {
                var share = sum == 0m ? pool[tier] / members.Count : pool[tier] * weights[i] / sum;
                perTenant[members[i].Id] = direct.GetValueOrDefault(members[i].Id) + share;
            }

            perTier[tier] = pool[tier] + members.Sum(t => direct.GetValueOrDefault(t.Id));
        }

        return new CloudBillAllocation(
            new InfraCosts(perTier, perTenant, settings.BillPath),
            periods, read, inPeriods.Count, tenantTagged, tierTagged, shared, inPeriods.Count(x => x.UnknownTag), split);
    }

    private static IEnumerable<string> Required(CloudBillSettings settings, FocusTable table)
    {
        yield return settings.CostColumn;
        yield return FocusSpec.BillingCurrency;
        yield return FocusSpec.BillingPeriodStart;
        yield return FocusSpec.ChargeCategory;
        if (settings.Include.Services.Count > 0)
        {
            yield return FocusSpec.ServiceName;
        }

        if (settings.Include.Accounts.Count > 0 && !table.Has(FocusSpec.SubAccountId))
        {
            yield return FocusSpec.BillingAccountId;
        }
    }

    private static bool Included(FocusTable table, int row, Dictionary<string, string> tags, BillFilter include)
    {
        if (include.IsEmpty)
        {
            return true;
        }

        return (include.Tags.Count > 0 && include.Tags.All(t => tags.TryGetValue(t.Key, out var v) && v == t.Value))
            || include.Services.Contains(table.Text(row, FocusSpec.ServiceName) ?? string.Empty)
            || include.Accounts.Contains(table.Text(row, FocusSpec.SubAccountId) ?? string.Empty)
            || include.Accounts.Contains(table.Text(row, FocusSpec.BillingAccountId) ?? string.Empty);
    }

    /// <summary>The row's Tags (a JSON object; the check has validated it) as text key → text value.</summary>
    private static Dictionary<string, string> Tags(FocusTable table, int row)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (table.Text(row, FocusSpec.Tags) is { } json)
        {
            using var doc = JsonDocument.Parse(json);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                tags[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return tags;
    }

    private static decimal TierWeight(TenantDirectory directory, AllocationBasis basis, SharedSplit split, string tier) => split switch
    {
        SharedSplit.Customers => directory.CountOfTier(tier),
        _ => directory.TenantsOfTier(tier).Sum(t => TenantWeight(basis, split, t.Id)),
    };

    private static decimal TenantWeight(AllocationBasis basis, SharedSplit split, string tenant) => split switch
    {
        SharedSplit.AiCost => basis.TenantCost.GetValueOrDefault(tenant),
        SharedSplit.Requests => basis.TenantRequests.GetValueOrDefault(tenant),
        _ => 1m,
    };
}
