using System.Globalization;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Focus.CloudBill;

/// <summary>How shared rows of the cloud bill (tagged with neither a tier nor a tenant) are split among tiers.</summary>
public enum SharedSplit
{
    /// <summary>By the tier's share of AI cost in the window (the default: who uses the product pays for it).</summary>
    AiCost,

    /// <summary>By the tier's share of model calls.</summary>
    Requests,

    /// <summary>By the tier's share of customers (listed tenants).</summary>
    Customers,
}

/// <summary>Which bill rows belong to the product: a row matching any rule. No rule: every row.</summary>
/// <param name="Tags">Tag key → value that must all be on the row.</param>
/// <param name="Services">ServiceName values.</param>
/// <param name="Accounts">SubAccountId or BillingAccountId values.</param>
public sealed record BillFilter(IReadOnlyDictionary<string, string> Tags, IReadOnlyList<string> Services, IReadOnlyList<string> Accounts)
{
    public bool IsEmpty => this.Tags.Count == 0 && this.Services.Count == 0 && this.Accounts.Count == 0;
}

/// <summary>
/// The <c>infra:</c> section of the tenant file, as the cloud-bill import reads it (docs/tenants.md):
/// where the FOCUS bill is, which rows are the product's, which tag names a row's tier or tenant, and how
/// shared rows are split.
/// </summary>
public sealed record CloudBillSettings
{
    public const string CloudBillKey = "cloud_bill";
    public const string CostColumnKey = "cost_column";
    public const string MonthsKey = "months";
    public const string IncludeKey = "include";
    public const string TierTagKey = "tier_tag";
    public const string TenantTagKey = "tenant_tag";
    public const string SharedSplitKey = "shared_split";

    /// <summary>The bill: a FOCUS CSV or Parquet file, or a folder of them; absolute.</summary>
    public required string BillPath { get; init; }

    /// <summary>EffectiveCost (amortized, the default) or BilledCost (as invoiced).</summary>
    public string CostColumn { get; init; } = FocusSpec.EffectiveCost;

    /// <summary>The latest billing periods (months) of the bill averaged into the monthly figure.</summary>
    public int Months { get; init; } = 1;

    public BillFilter Include { get; init; } = new(new Dictionary<string, string>(), [], []);

    public string TierTag { get; init; } = "tier";

    public string TenantTag { get; init; } = "tenant";

    public SharedSplit SharedSplit { get; init; } = SharedSplit.AiCost;

    /// <summary>The cloud-bill settings of <paramref name="directory"/>'s <c>infra:</c> section; null when it names no bill.</summary>
    /// <exception cref="TenantDirectoryException">A setting is not understood.</exception>
    public static CloudBillSettings? From(TenantDirectory directory) => directory.Infra is { } infra ? Parse(infra) : null;

    public static CloudBillSettings? Parse(InfraSection infra)
    {
        var s = infra.Settings;
        TenantDirectoryException Fail(string field, string problem) =>
            new($"{infra.SourceName}:{infra.Line}: infra, field '{field}': {problem}");

        string? Text(string key) => s.TryGetValue(key, out var v) ? v switch
        {
            null => null,
            string t => t,
            _ => throw Fail(key, "must be a single value"),
        }
        : null;

        IReadOnlyList<string> List(IReadOnlyDictionary<string, object?> map, string key, string field) => map.TryGetValue(key, out var v) ? v switch
        {
            null => [],
            string t => [t],
            IReadOnlyList<object?> l => [.. l.Select(x => x as string ?? throw Fail(field, "must be a list of names"))],
            _ => throw Fail(field, "must be a name or a list of names"),
        }
        : [];

        var known = new[] { CloudBillKey, CostColumnKey, MonthsKey, IncludeKey, TierTagKey, TenantTagKey, SharedSplitKey };
        if (s.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw Fail(unknown, "unknown key; expected one of " + string.Join(", ", known));
        }

        var bill = Text(CloudBillKey);
        if (bill is null)
        {
            return s.Count == 0 ? null : throw Fail(CloudBillKey, "missing: the FOCUS export of the cloud bill (a .csv or .parquet file, or a folder of them)");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(infra.SourceName)) ?? ".";
        var costColumn = Text(CostColumnKey) ?? FocusSpec.EffectiveCost;
        if (costColumn is not (FocusSpec.EffectiveCost or FocusSpec.BilledCost))
        {
            throw Fail(CostColumnKey, $"must be {FocusSpec.EffectiveCost} or {FocusSpec.BilledCost}, found '{costColumn}'");
        }

        var monthsText = Text(MonthsKey);
        var months = 1;
        if (monthsText is not null && (!int.TryParse(monthsText, NumberStyles.None, CultureInfo.InvariantCulture, out months) || months < 1))
        {
            throw Fail(MonthsKey, $"must be a whole number of at least 1, found '{monthsText}'");
        }

        var split = Text(SharedSplitKey) switch
        {
            null or "ai_cost" => SharedSplit.AiCost,
            "requests" => SharedSplit.Requests,
            "customers" => SharedSplit.Customers,
            var other => throw Fail(SharedSplitKey, $"must be ai_cost, requests or customers, found '{other}'"),
        };

        var include = new BillFilter(new Dictionary<string, string>(), [], []);
        if (s.TryGetValue(IncludeKey, out var includeNode) && includeNode is not null)
        {
            if (includeNode is not IReadOnlyDictionary<string, object?> rules)
            {
                throw Fail(IncludeKey, "must be a mapping with tags, services and/or accounts");
            }

            if (rules.Keys.FirstOrDefault(k => k is not ("tags" or "services" or "accounts")) is { } badRule)
            {
                throw Fail(IncludeKey + "." + badRule, "unknown key; expected tags, services or accounts");
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            if (rules.TryGetValue("tags", out var tagNode) && tagNode is not null)
            {
                if (tagNode is not IReadOnlyDictionary<string, object?> tagMap)
                {
                    throw Fail(IncludeKey + ".tags", "must be a mapping of tag key to value");
                }

                foreach (var (k, v) in tagMap)
                {
                    tags[k] = v as string ?? throw Fail(IncludeKey + ".tags." + k, "must be a tag value");
                }
            }

            include = new BillFilter(tags, List(rules, "services", IncludeKey + ".services"), List(rules, "accounts", IncludeKey + ".accounts"));
        }

        return new CloudBillSettings
        {
            BillPath = Path.GetFullPath(Path.Combine(folder, bill)),
            CostColumn = costColumn,
            Months = months,
            Include = include,
            TierTag = Text(TierTagKey) ?? "tier",
            TenantTag = Text(TenantTagKey) ?? "tenant",
            SharedSplit = split,
        };
    }
}
