using System.Runtime.CompilerServices;

namespace UnitEconomics.Otel.Spans;

/// <summary>
/// A fixed table from string instances to values, compared by reference. Instrumentations set tags with
/// string literals, which the runtime interns, so the key of a tag is usually the very instance the table
/// was built with: one identity hash and one pointer compare per tag, no character is read.
/// Open addressing, power-of-two size, at most half full; built once, read without locks.
/// </summary>
internal sealed class IdentityKeyTable<TValue>
{
    private readonly string?[] keys;
    private readonly TValue[] values;
    private readonly int mask;

    public IdentityKeyTable(IEnumerable<KeyValuePair<string, TValue>> entries)
    {
        var list = entries.Select(e => (Key: string.Intern(e.Key), e.Value)).ToList();
        var size = 8;
        while (size < list.Count * 2)
        {
            size <<= 1;
        }

        this.keys = new string?[size];
        this.values = new TValue[size];
        this.mask = size - 1;
        foreach (var (key, value) in list)
        {
            var i = RuntimeHelpers.GetHashCode(key) & this.mask;
            while (this.keys[i] is not null && !ReferenceEquals(this.keys[i], key))
            {
                i = (i + 1) & this.mask;
            }

            this.keys[i] = key;
            this.values[i] = value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(string key, out TValue value)
    {
        var keys = this.keys;
        var i = RuntimeHelpers.GetHashCode(key) & this.mask;
        while (true)
        {
            var candidate = keys[i];
            if (ReferenceEquals(candidate, key))
            {
                value = this.values[i];
                return true;
            }

            if (candidate is null)
            {
                value = default!;
                return false;
            }

            i = (i + 1) & this.mask;
        }
    }
}
