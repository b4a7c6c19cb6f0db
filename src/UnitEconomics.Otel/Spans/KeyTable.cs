using System.Runtime.CompilerServices;

namespace UnitEconomics.Otel.Spans;

/// <summary>
/// A small fixed table of strings, read per attribute of every span: entries are bucketed by length,
/// and a bucket (one to three strings for the conventions' names) is searched by reference first.
/// Instrumentations set attribute keys and well-known values with string literals, which the runtime
/// interns, and the OTLP reader hands out the same interned instances: a hit is then one array index
/// and a pointer compare, with no hash computed. A string of another instance but equal characters
/// still hits, through the ordinal compare; a length no entry has misses at once.
/// Built once, read without locks.
/// </summary>
internal sealed class KeyTable<TValue>
{
    private readonly Entry[][] byLength;

    public KeyTable(IEnumerable<KeyValuePair<string, TValue>> entries)
    {
        var list = entries.Select(e => new Entry(string.Intern(e.Key), e.Value)).ToList();
        var maxLength = list.Count == 0 ? 0 : list.Max(e => e.Key.Length);
        this.byLength = new Entry[maxLength + 1][];
        for (var length = 0; length <= maxLength; length++)
        {
            this.byLength[length] = [.. list.Where(e => e.Key.Length == length)];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(string key, out TValue value)
    {
        var buckets = this.byLength;
        if ((uint)key.Length < (uint)buckets.Length)
        {
            var bucket = buckets[key.Length];
            for (var i = 0; i < bucket.Length; i++)
            {
                if (ReferenceEquals(bucket[i].Key, key))
                {
                    value = bucket[i].Value;
                    return true;
                }
            }

            if (bucket.Length != 0 && key.Length != 0)
            {
                return this.TryGetByContent(bucket, key, out value);
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Looks up characters that are not a string of their own (a slice of one), by content.</summary>
    public bool TryGetValue(ReadOnlySpan<char> key, out TValue value)
    {
        if ((uint)key.Length < (uint)this.byLength.Length)
        {
            foreach (var entry in this.byLength[key.Length])
            {
                if (key.SequenceEqual(entry.Key))
                {
                    value = entry.Value;
                    return true;
                }
            }
        }

        value = default!;
        return false;
    }

    private bool TryGetByContent(Entry[] bucket, string key, out TValue value)
    {
        // Same length, other instance: mostly a key no entry has ("server.port" beside "ai.use_case"), so
        // the first and last characters rule most candidates out before a full compare.
        for (var i = 0; i < bucket.Length; i++)
        {
            var candidate = bucket[i].Key;
            if (candidate[0] == key[0] && candidate[^1] == key[^1] && string.Equals(candidate, key, StringComparison.Ordinal))
            {
                value = bucket[i].Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    private readonly struct Entry
    {
        public readonly string Key;
        public readonly TValue Value;

        public Entry(string key, TValue value)
        {
            this.Key = key;
            this.Value = value;
        }
    }
}
