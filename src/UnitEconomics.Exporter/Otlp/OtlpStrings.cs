using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Strings decoded from OTLP without allocating them again and again. Attribute keys come back as the
/// very instances the engine's constants are (the runtime's intern pool), so the normalizer's
/// by-reference key lookup hits; label-like values (model, tenant, provider, use case, span names)
/// repeat across spans and come from a cache. Both caches are direct-mapped and lock-free: a slot holds
/// an immutable entry, a race costs at most a miss.
/// </summary>
internal static class OtlpStrings
{
    private const int MaxCachedBytes = 96;

    private static readonly Utf8Cache Keys = new(1024);
    private static readonly Utf8Cache Values = new(8192);

    // Values unique per span: caching them would only churn the cache.
    private static readonly HashSet<string> UniqueValueKeys = new(StringComparer.Ordinal)
    {
        GenAiAttributes.GenAi.Response.Id,
        GenAiAttributes.GenAi.ConversationId,
        GenAiAttributes.SessionId,
        "gen_ai.tool.call.id",
    };

    private static int generation;

    /// <summary>An attribute key: the interned instance when the runtime knows one (the engine's constants).</summary>
    public static string Key(ReadOnlySpan<byte> utf8, out bool cacheValues)
    {
        var entry = Keys.Get(utf8, static s =>
        {
            var interned = string.IsInterned(s);
            return new Utf8Cache.Entry(interned ?? s, interned is not null && !UniqueValueKeys.Contains(s), Volatile.Read(ref generation));
        });
        cacheValues = entry.Flag;
        return entry.Value;
    }

    /// <summary>New keys were interned (an engine was built): key entries cached before are looked up again.</summary>
    public static void KeysInterned() => Interlocked.Increment(ref generation);

    /// <summary>A string value; from the cache when <paramref name="cache"/> says the key's values repeat.</summary>
    public static string Value(ReadOnlySpan<byte> utf8, bool cache) =>
        cache && utf8.Length <= MaxCachedBytes ? Values.Get(utf8, static s => new Utf8Cache.Entry(s, false, Volatile.Read(ref generation))).Value : Decode(utf8);

    /// <summary>A key already decoded (OTLP/gRPC and OTLP/JSON requests) swapped for its interned instance.</summary>
    public static string InternKey(string key) => string.IsInterned(key) ?? key;

    public static string Decode(ReadOnlySpan<byte> utf8) => utf8.Length == 0 ? string.Empty : Encoding.UTF8.GetString(utf8);

    internal sealed class Utf8Cache
    {
        private readonly Slot?[] slots;
        private readonly int mask;

        public Utf8Cache(int size)
        {
            this.slots = new Slot?[size];
            this.mask = size - 1;
        }

        public Entry Get(ReadOnlySpan<byte> utf8, Func<string, Entry> create)
        {
            if (utf8.Length > MaxCachedBytes)
            {
                return create(Decode(utf8));
            }

            var index = (int)(Hash(utf8) & (uint)this.mask);
            var slot = Volatile.Read(ref this.slots[index]);
            if (slot is not null && slot.Entry.Generation == Volatile.Read(ref generation) && utf8.SequenceEqual(slot.Utf8))
            {
                return slot.Entry;
            }

            var entry = create(Decode(utf8));
            Volatile.Write(ref this.slots[index], new Slot(utf8.ToArray(), entry));
            return entry;
        }

        // Length and the first and last eight bytes: enough to spread attribute keys and label values,
        // cheap enough to beat hashing every character; a collision is only a miss. The final mix
        // matters: label values often differ only in their last character (tenant-00195, tenant-00196),
        // which is the top byte of the last eight; a multiply carries it only upwards, so without the
        // mix the slot bits never saw it and such values took turns evicting each other.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static uint Hash(ReadOnlySpan<byte> s)
        {
            ulong h;
            if (s.Length >= 8)
            {
                h = BinaryPrimitives.ReadUInt64LittleEndian(s) * 0x9E3779B97F4A7C15UL;
                h ^= BinaryPrimitives.ReadUInt64LittleEndian(s[^8..]) * 0xC2B2AE3D27D4EB4FUL;
            }
            else
            {
                h = 0;
                foreach (var b in s)
                {
                    h = (h << 8) | b;
                }

                h *= 0x9E3779B97F4A7C15UL;
            }

            h ^= (ulong)s.Length * 0x165667B19E3779F9UL;
            h ^= h >> 33;
            h *= 0xFF51AFD7ED558CCDUL;
            h ^= h >> 33;
            return (uint)h;
        }

        public readonly record struct Entry(string Value, bool Flag, int Generation = 0);

        private sealed record Slot(byte[] Utf8, Entry Entry);
    }
}
