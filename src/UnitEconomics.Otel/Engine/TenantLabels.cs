using System.Collections.Concurrent;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// Caps the number of distinct tenant label values. Past the cap, new tenants fold into
/// <see cref="Other"/> so a flood of tenant ids (a bug, or an attack) cannot explode series count.
/// Each admitted tenant also keeps its tier as of the directory it was read from, so a call finds
/// label and tier in one lookup; a reloaded directory is noticed by reference and the tier re-read.
/// Lookups of known tenants take no lock and allocate nothing.
/// </summary>
public sealed class TenantLabels
{
    public const string Other = "__other__";

    private readonly ConcurrentDictionary<string, TierOf> admitted = new(StringComparer.Ordinal);
    private readonly int cap;
    private int count;

    public TenantLabels(int cap)
    {
        this.cap = Math.Max(1, cap);
    }

    public int Count => Volatile.Read(ref this.count);

    /// <summary>
    /// The label for <paramref name="tenant"/> and its tier in <paramref name="directory"/>;
    /// <paramref name="overflowed"/> when the label was folded into <see cref="Other"/>.
    /// </summary>
    public string Label(string tenant, TenantDirectory directory, out string tier, out bool overflowed)
    {
        overflowed = false;
        if (this.admitted.TryGetValue(tenant, out var known))
        {
            if (ReferenceEquals(known.Directory, directory))
            {
                tier = known.Tier;
                return tenant;
            }

            tier = directory.TierOf(tenant);
            this.admitted[tenant] = new TierOf(directory, tier); // the directory was reloaded
            return tenant;
        }

        tier = directory.TierOf(tenant);

        // Reserve a slot first so concurrent newcomers cannot push the count past the cap.
        if (Interlocked.Increment(ref this.count) > this.cap)
        {
            Interlocked.Decrement(ref this.count);
            overflowed = true;
            return Other;
        }

        if (!this.admitted.TryAdd(tenant, new TierOf(directory, tier)))
        {
            Interlocked.Decrement(ref this.count); // another thread admitted it meanwhile
        }

        return tenant;
    }

    private sealed record TierOf(TenantDirectory Directory, string Tier);
}
