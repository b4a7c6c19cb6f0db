namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// The tenant file's <c>infra:</c> section, kept as read and not interpreted by the engine: a host that
/// reads infrastructure cost from elsewhere (UnitEconomics.Books reads a FOCUS cloud bill) finds its
/// settings here. Values are <see cref="string"/> (scalars), null, <see cref="IReadOnlyList{T}"/> of values
/// or <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to value, as in the file.
/// </summary>
/// <param name="SourceName">The tenant file (relative paths in the settings are relative to its folder).</param>
/// <param name="Line">The line of the <c>infra:</c> key.</param>
/// <param name="Settings">The section's mapping.</param>
public sealed record InfraSection(string SourceName, int Line, IReadOnlyDictionary<string, object?> Settings);

/// <summary>
/// Infrastructure cost per month computed outside the tenant file (e.g. allocated from a cloud bill),
/// in USD. A tier listed here carries this figure instead of its hand-typed <c>infra_cost_per_month</c>,
/// which stays the fallback for tiers not listed.
/// </summary>
/// <param name="PerTier">Each tier's infrastructure cost per month, for the whole tier.</param>
/// <param name="PerTenant">Each tenant's share of it per month (its own rows plus its share of its tier's).</param>
/// <param name="Source">Where the figures come from, for logs and reports (e.g. the bill's path).</param>
public sealed record InfraCosts(IReadOnlyDictionary<string, decimal> PerTier, IReadOnlyDictionary<string, decimal> PerTenant, string Source);

/// <summary>
/// The extension point through which a host supplies infrastructure cost for a tenant directory
/// without the engine depending on how it is computed. <see cref="TenantDirectoryWatcher"/> calls
/// <see cref="Compute"/> on every (re)load of the tenant file, and reloads when a path of
/// <see cref="WatchedPaths"/> changes, so a new bill is picked up as a new tenant file is.
/// </summary>
public interface IInfraCostSource
{
    /// <summary>Files or folders the figures are read from, watched beside the tenant file (a folder: any file in it).</summary>
    IReadOnlyList<string> WatchedPaths(TenantDirectory directory);

    /// <summary>
    /// The figures for <paramref name="directory"/> as just read (its <see cref="TenantDirectory.Infra"/>
    /// holds the settings); null to keep the hand-typed ones. Throws to refuse the load (a reload then
    /// keeps the last good directory).
    /// </summary>
    InfraCosts? Compute(TenantDirectory directory);
}
