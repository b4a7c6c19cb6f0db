using System.Collections.Concurrent;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// Caps the number of distinct tenant label values. Past the cap, new tenants fold into
/// <see cref="Other"/> so a flood of tenant ids (a bug, or an attack) cannot explode series count.
/// Lookups of known tenants take no lock and allocate nothing.
/// </summary>
public sealed class TenantLabels
{
    public const string Other = "__other__";

    private readonly ConcurrentDictionary<string, byte> admitted = new(StringComparer.Ordinal);
    private readonly int cap;
    private int count;

    public TenantLabels(int cap)
    {
        this.cap = Math.Max(1, cap);
    }

    public int Count => Volatile.Read(ref this.count);

    /// <summary>The label for <paramref name="tenant"/>; <paramref name="overflowed"/> when it was folded.</summary>
    public string Label(string tenant, out bool overflowed)
    {
        overflowed = false;
        if (this.admitted.ContainsKey(tenant))
        {
            return tenant;
        }

        // Reserve a slot first so concurrent newcomers cannot push the count past the cap.
        if (Interlocked.Increment(ref this.count) > this.cap)
        {
            Interlocked.Decrement(ref this.count);
            overflowed = true;
            return Other;
        }

        if (!this.admitted.TryAdd(tenant, 0))
        {
            Interlocked.Decrement(ref this.count); // another thread admitted it meanwhile
        }

        return tenant;
    }
}
