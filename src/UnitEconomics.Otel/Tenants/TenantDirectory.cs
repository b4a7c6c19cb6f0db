using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace UnitEconomics.Otel.Tenants;

/// <summary>A pricing tier of the app's own customers.</summary>
/// <param name="Name">Tier name, the <c>tier</c> label (e.g. free, pro, enterprise).</param>
/// <param name="RevenuePerCustomerPerMonth">List price per customer per month, USD.</param>
/// <param name="IsFree">A free tier: its AI spend is a subsidy.</param>
/// <param name="InfraCostPerMonth">Non-AI infrastructure cost the tier carries per month, USD, for the whole tier.</param>
public sealed record TierInfo(string Name, decimal RevenuePerCustomerPerMonth, bool IsFree, decimal InfraCostPerMonth);

/// <summary>One customer of the app.</summary>
/// <param name="Id">The <c>tenant</c> label value.</param>
/// <param name="Tier">Its tier's name; <c>unknown</c> for tenants not in the directory.</param>
/// <param name="RevenuePerMonth">The tier's revenue unless overridden for this tenant, USD.</param>
/// <param name="Engagement">An engagement figure (active users, sessions, retention score) the app supplies.</param>
public sealed record TenantInfo(string Id, string Tier, decimal RevenuePerMonth, double Engagement)
{
    /// <summary>Where <see cref="Tier"/> came from: <c>file</c>, or a billing source's name (see <see cref="TenantDirectory.WithFigures"/>).</summary>
    public string TierSource { get; init; } = TenantFigureSources.File;

    /// <summary>Where <see cref="RevenuePerMonth"/> came from: <c>tier price</c>, <c>file</c> (the tenant's own figure), or a billing source's name.</summary>
    public string RevenueSource { get; init; } = TenantFigureSources.TierPrice;

    // Equal figures are equal tenants wherever they came from: the provenance above describes a
    // figure, it is not part of it (and code comparing directories predates it).
    public bool Equals(TenantInfo? other) =>
        other is not null && this.Id == other.Id && this.Tier == other.Tier && this.RevenuePerMonth == other.RevenuePerMonth && this.Engagement.Equals(other.Engagement);

    public override int GetHashCode() => HashCode.Combine(this.Id, this.Tier, this.RevenuePerMonth, this.Engagement);
}

/// <summary>
/// The app's tenants and tiers: which tier a tenant is in, what it pays and how engaged it is
/// (DESIGN §6). Immutable: a new file makes a new directory (see <see cref="TenantDirectoryWatcher"/>),
/// so readers on the span path never lock.
/// </summary>
public sealed partial class TenantDirectory
{
    /// <summary>The tier label of a tenant not in the directory (and of calls with no tenant).</summary>
    public const string UnknownTier = "unknown";

    private readonly FrozenDictionary<string, TenantInfo> tenants;
    private readonly TenantInfo[] ordered;
    private readonly FrozenDictionary<string, TenantInfo[]> byTier;

    /// <summary>Builds a directory from code. Tenant ids must be unique; tiers are not cross-checked here (the file loader does that).</summary>
    public TenantDirectory(IEnumerable<TierInfo> tiers, IEnumerable<TenantInfo> tenants)
        : this(tiers, tenants, sourceName: null)
    {
    }

    internal TenantDirectory(IEnumerable<TierInfo> tiers, IEnumerable<TenantInfo> tenants, string? sourceName, InfraSection? infra = null, InfraCosts? infraCosts = null)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        ArgumentNullException.ThrowIfNull(tenants);
        this.Tiers = Unique(tiers, t => t.Name, "tier", nameof(tiers)).ToFrozenDictionary(StringComparer.Ordinal);
        this.ordered = [.. tenants];
        this.tenants = Unique(this.ordered, t => t.Id, "tenant id", nameof(tenants)).ToFrozenDictionary(StringComparer.Ordinal);

        // Grouped once here so the report and the gauges can ask per tier without scanning every tenant.
        this.byTier = this.ordered
            .GroupBy(t => t.Tier, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        this.SourceName = sourceName;
        this.Infra = infra;
        this.InfraCosts = infraCosts;
    }

    public static TenantDirectory Empty { get; } = new([], []);

    /// <summary>The file this directory was read from; null when built in code.</summary>
    public string? SourceName { get; }

    public FrozenDictionary<string, TierInfo> Tiers { get; }

    /// <summary>The file's <c>infra:</c> section, for a host's <see cref="IInfraCostSource"/>; null when the file has none.</summary>
    public InfraSection? Infra { get; }

    /// <summary>The infrastructure figures applied by <see cref="WithInfraCosts"/>; null when the hand-typed ones are in use.</summary>
    public InfraCosts? InfraCosts { get; }
    /// <summary>The file's <c>revenue</c> section, parsed but not interpreted (a host reads its billing source from it); null when absent.</summary>
    public TenantFileSection? RevenueSettings { get; init; }

    /// <summary>The billing figures laid over the file (<see cref="WithFigures"/>); null when none.</summary>
    public TenantFigureSet? Figures { get; init; }

    /// <summary>Every tenant, in the order of the file.</summary>
    public IEnumerable<TenantInfo> Tenants => this.ordered;

    public int TenantCount => this.ordered.Length;

    /// <summary>The tier label for a tenant; <see cref="UnknownTier"/> when the tenant is not listed.</summary>
    /// <remarks>Called per span: one frozen-dictionary lookup, no allocation.</remarks>
    public string TierOf(string tenant) => this.tenants.TryGetValue(tenant, out var info) ? info.Tier : UnknownTier;

    public bool TryGetTenant(string tenant, [NotNullWhen(true)] out TenantInfo? info) => this.tenants.TryGetValue(tenant, out info);

    public bool TryGetTier(string tier, [NotNullWhen(true)] out TierInfo? info) => this.Tiers.TryGetValue(tier, out info);

    /// <summary>The listed tenants of a tier, in file order; empty for a tier with none (and for <see cref="UnknownTier"/>).</summary>
    public IReadOnlyList<TenantInfo> TenantsOfTier(string tier) => this.byTier.TryGetValue(tier, out var list) ? list : [];

    /// <summary>How many listed tenants a tier has (its customers, for cost and revenue per customer).</summary>
    public int CountOfTier(string tier) => this.byTier.TryGetValue(tier, out var list) ? list.Length : 0;

    /// <summary>The monthly revenue of a tier's listed tenants, overrides included, USD.</summary>
    public decimal RevenueOfTier(string tier)
    {
        var sum = 0m;
        foreach (var t in this.TenantsOfTier(tier))
        {
            sum += t.RevenuePerMonth;
        }

        return sum;
    }

    /// <summary>
    /// A tier's non-AI infrastructure cost per listed customer per month, USD; null when the tier is
    /// not defined or has no listed tenants (a per-customer share of nobody is undefined, not zero).
    /// </summary>
    public decimal? InfraCostPerCustomerOfTier(string tier)
    {
        var count = this.CountOfTier(tier);
        return count > 0 && this.Tiers.TryGetValue(tier, out var info) ? info.InfraCostPerMonth / count : null;
    }

    /// <summary>
    /// A tenant's infrastructure cost per month, USD: its own figure from <see cref="InfraCosts"/> when one
    /// was applied, else an equal share of its tier's (<see cref="InfraCostPerCustomerOfTier"/>).
    /// </summary>
    public decimal? InfraCostOfTenant(string tenant) =>
        this.InfraCosts?.PerTenant.TryGetValue(tenant, out var own) == true ? own
        : this.tenants.TryGetValue(tenant, out var info) ? this.InfraCostPerCustomerOfTier(info.Tier) : null;

    /// <summary>
    /// This directory with the infrastructure figures of <paramref name="costs"/>: a tier listed there
    /// carries its figure, the others keep their hand-typed <c>infra_cost_per_month</c>.
    /// </summary>
    public TenantDirectory WithInfraCosts(InfraCosts costs)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var tiers = this.Tiers.Values.Select(t => costs.PerTier.TryGetValue(t.Name, out var infra) ? t with { InfraCostPerMonth = infra } : t);
        return new TenantDirectory(tiers, this.ordered, this.SourceName, this.Infra, costs)
        {
            RevenueSettings = this.RevenueSettings,
            Figures = this.Figures,
        };
    }

    /// <summary>Reads a YAML or JSON tenant directory file (format in docs/tenants.md).</summary>
    /// <exception cref="TenantDirectoryException">The file is missing, unreadable, malformed or inconsistent.</exception>
    public static TenantDirectory Load(string path) => TenantDirectoryReader.Load(path);

    /// <summary>Parses tenant directory text; <paramref name="sourceName"/> names it in errors and, by its extension, picks JSON or YAML.</summary>
    /// <exception cref="TenantDirectoryException">The text is empty, malformed or inconsistent.</exception>
    public static TenantDirectory Parse(string text, string sourceName) => TenantDirectoryReader.Parse(text, sourceName);

    private static Dictionary<string, T> Unique<T>(IEnumerable<T> items, Func<T, string> key, string what, string paramName)
    {
        var unique = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!unique.TryAdd(key(item), item))
            {
                throw new ArgumentException($"Duplicate {what} '{key(item)}'.", paramName);
            }
        }

        return unique;
    }
}
