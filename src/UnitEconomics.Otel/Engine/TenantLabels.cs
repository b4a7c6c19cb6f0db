using System.Collections.Concurrent;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>The tenant labels a priced call is counted under (tenant, tier), as one handle for sinks' state.</summary>
public sealed class TenantLabelSet
{
    /// <summary>Sinks' state for these labels (see <see cref="SeriesHandle"/>).</summary>
    internal SeriesHandle Series { get; } = new();

    public TenantLabelSet(string tenant, string tier)
        : this(tenant, tier, null)
    {
    }

    internal TenantLabelSet(string tenant, string tier, TenantDirectory? directory)
    {
        this.Tenant = tenant;
        this.Tier = tier;
        this.Directory = directory;
    }

    /// <summary>The tenant as a label: its id, or <see cref="TenantLabels.Other"/> past the tenant cap.</summary>
    public string Tenant { get; }

    public string Tier { get; }

    /// <summary>The directory <see cref="Tier"/> was read from.</summary>
    internal TenantDirectory? Directory { get; }
}

/// <summary>
/// Caps the number of distinct tenant label values. Past the cap, new tenants fold into
/// <see cref="Other"/> so a flood of tenant ids (a bug, or an attack) cannot explode series count.
/// Each admitted tenant keeps one <see cref="TenantLabelSet"/> with its tier as of the directory it was
/// read from, so a call finds label, tier and the sinks' state in one lookup; a reloaded directory is
/// noticed by reference and the tier re-read. Lookups of known tenants take no lock and allocate nothing.
/// </summary>
internal sealed class TenantLabels
{
    public const string Other = "__other__";

    private readonly ConcurrentDictionary<string, TenantLabelSet> admitted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TenantLabelSet> otherByTier = new(StringComparer.Ordinal);
    private readonly int cap;
    private int count;

    public TenantLabels(int cap)
    {
        this.cap = Math.Max(1, cap);
    }

    public int Count => Volatile.Read(ref this.count);

    /// <summary>
    /// The labels for <paramref name="tenant"/>, with its tier in <paramref name="directory"/>;
    /// <paramref name="overflowed"/> when the tenant was folded into <see cref="Other"/>.
    /// </summary>
    public TenantLabelSet Resolve(string tenant, TenantDirectory directory, out bool overflowed)
    {
        overflowed = false;
        if (this.admitted.TryGetValue(tenant, out var known))
        {
            if (ReferenceEquals(known.Directory, directory))
            {
                return known;
            }

            // The directory was reloaded: a new handle, as the tier (a label) may have changed.
            var reread = new TenantLabelSet(tenant, directory.TierOf(tenant), directory);
            this.admitted[tenant] = reread;
            return reread;
        }

        var tier = directory.TierOf(tenant);

        // Reserve a slot first so concurrent newcomers cannot push the count past the cap.
        if (Interlocked.Increment(ref this.count) > this.cap)
        {
            Interlocked.Decrement(ref this.count);
            overflowed = true;
            return this.otherByTier.GetOrAdd(tier, static t => new TenantLabelSet(Other, t));
        }

        var added = new TenantLabelSet(tenant, tier, directory);
        if (!this.admitted.TryAdd(tenant, added))
        {
            Interlocked.Decrement(ref this.count); // another thread admitted it meanwhile
            return this.admitted.TryGetValue(tenant, out var winner) ? winner : added;
        }

        return added;
    }
}
