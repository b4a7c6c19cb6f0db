using System.Collections.Frozen;

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
public sealed record TenantInfo(string Id, string Tier, decimal RevenuePerMonth, double Engagement);

/// <summary>
/// PLACEHOLDER (replaced by the tenant-directory work): tenants and tiers, resolved per call.
/// The public surface below is the contract the engine uses.
/// </summary>
public sealed class TenantDirectory
{
    public const string UnknownTier = "unknown";

    private readonly FrozenDictionary<string, TenantInfo> tenants;

    public TenantDirectory(IEnumerable<TierInfo> tiers, IEnumerable<TenantInfo> tenants)
    {
        this.Tiers = tiers.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
        this.tenants = tenants.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
    }

    public static TenantDirectory Empty { get; } = new([], []);

    public static TenantDirectory Load(string path) => throw new NotSupportedException(path);

    public FrozenDictionary<string, TierInfo> Tiers { get; }

    public IEnumerable<TenantInfo> Tenants => this.tenants.Values;

    /// <summary>The tier label for a tenant; <see cref="UnknownTier"/> when the tenant is not listed.</summary>
    public string TierOf(string tenant) => this.tenants.TryGetValue(tenant, out var info) ? info.Tier : UnknownTier;

    public bool TryGetTenant(string tenant, out TenantInfo? info) => this.tenants.TryGetValue(tenant, out info);
}
