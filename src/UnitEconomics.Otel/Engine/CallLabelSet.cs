using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// The labels a priced call is counted under (provider, model, operation, use case, tier, cache), as
/// one handle. Besides the sinks' state it keeps the catalog's price ranking for its model, so a call
/// whose labels were seen before is priced without a catalog lookup.
/// </summary>
public sealed class CallLabelSet
{
    /// <summary>Sinks' state for these labels (see <see cref="SeriesHandle"/>).</summary>
    internal SeriesHandle Series { get; } = new();

    private PriceRanking? ranking;

    public CallLabelSet(string provider, string model, string operation, string useCase, string tier, CacheLookup cache)
    {
        this.Provider = provider;
        this.Model = model;
        this.Operation = operation;
        this.UseCase = useCase;
        this.Tier = tier;
        this.Cache = cache;
        this.Hash = HashOf(provider, model, operation, useCase, tier, cache);
    }

    public string Provider { get; }

    public string Model { get; }

    public string Operation { get; }

    public string UseCase { get; }

    public string Tier { get; }

    /// <summary>The semantic-cache lookup of the calls in this set.</summary>
    public CacheLookup Cache { get; }

    /// <summary>The <c>cache</c> label: <c>hit</c> for an answer from the app's semantic cache.</summary>
    /// <summary>The <c>cache</c> label: <c>hit</c>, <c>miss</c> (lookups) or <c>none</c> (no lookup).</summary>
    public string CacheLabel => LabelOf(this.Cache);

    internal int Hash { get; }

    /// <summary>The <c>cache</c> label value of a lookup state.</summary>
    public static string LabelOf(CacheLookup cache) => cache switch
    {
        CacheLookup.Hit => "hit",
        CacheLookup.Miss => "miss",
        _ => "none",
    };

    /// <summary>
    /// A hash of the labels' contents (equal strings of other instances hash alike), from each string's
    /// length and a few of its characters: label values are few per process and differ in those.
    /// </summary>
    internal static int HashOf(string provider, string model, string operation, string useCase, string tier, CacheLookup cache)
    {
        var h = (uint)Quick(provider);
        h = (h * 0x9E3779B1u) ^ (uint)Quick(model);
        h = (h * 0x9E3779B1u) ^ (uint)Quick(operation);
        h = (h * 0x9E3779B1u) ^ (uint)Quick(useCase);
        h = (h * 0x9E3779B1u) ^ (uint)Quick(tier);
        h = (h * 0x9E3779B1u) ^ (uint)cache;
        return (int)(h ^ (h >> 15));
    }

    internal bool Matches(string provider, string model, string operation, string useCase, string tier, CacheLookup cache) =>
        this.Cache == cache && Same(this.Model, model) && Same(this.UseCase, useCase) && Same(this.Tier, tier)
        && Same(this.Operation, operation) && Same(this.Provider, provider);

    /// <summary>
    /// The catalog's entries for <paramref name="name"/> (one of this set's own label strings: the model,
    /// or the provider for calls priced per call), best first. Cached until the catalog is replaced.
    /// </summary>
    internal ModelPrice[] RankingIn(PriceCatalog catalog, string name)
    {
        var cached = this.ranking;
        if (cached is not null && ReferenceEquals(cached.Catalog, catalog) && ReferenceEquals(cached.Name, name))
        {
            return cached.Ranked;
        }

        var ranked = catalog.Ranking(this.Provider == SpanNormalizer.Unknown ? null : this.Provider, name);
        this.ranking = new PriceRanking(catalog, name, ranked);
        return ranked;
    }

    private static bool Same(string a, string b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.Ordinal);

    private static int Quick(string s) => s.Length == 0 ? 0 : (s.Length * 31) ^ (s[0] << 8) ^ (s[^1] << 16) ^ (s[s.Length / 2] << 24) ^ s[s.Length / 3];

    private sealed record PriceRanking(PriceCatalog Catalog, string Name, ModelPrice[] Ranked);
}

/// <summary>
/// The engine's label sets, found by content: an open-addressed table read without locks (entries are
/// only ever added, each published whole), grown under a lock. Bounded: past its bound (label values
/// come from spans) a call gets a fresh, unshared set, which sinks resolve on their slower path.
/// </summary>
internal sealed class CallLabelSetTable
{
    public const int DefaultMaxEntries = 100_000;

    private readonly object writeLock = new();
    private readonly int maxEntries;
    private CallLabelSet?[] slots = new CallLabelSet?[64];
    private int count;

    public CallLabelSetTable(int maxEntries = DefaultMaxEntries)
    {
        this.maxEntries = maxEntries;
    }

    public int Count => Volatile.Read(ref this.count);

    public CallLabelSet Get(string provider, string model, string operation, string useCase, string tier, CacheLookup cache)
    {
        var hash = CallLabelSet.HashOf(provider, model, operation, useCase, tier, cache);
        var slots = Volatile.Read(ref this.slots);
        var mask = slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            var entry = slots[i];
            if (entry is null)
            {
                break;
            }

            if (entry.Hash == hash && entry.Matches(provider, model, operation, useCase, tier, cache))
            {
                return entry;
            }
        }

        return this.Add(new CallLabelSet(provider, model, operation, useCase, tier, cache));
    }

    private CallLabelSet Add(CallLabelSet added)
    {
        lock (this.writeLock)
        {
            var slots = this.slots;
            var mask = slots.Length - 1;
            var i = added.Hash & mask;
            for (; slots[i] is { } entry; i = (i + 1) & mask)
            {
                if (entry.Hash == added.Hash && entry.Matches(added.Provider, added.Model, added.Operation, added.UseCase, added.Tier, added.Cache))
                {
                    return entry; // another thread added it meanwhile
                }
            }

            if (this.count >= this.maxEntries)
            {
                return added;
            }

            if ((this.count + 1) * 2 > slots.Length)
            {
                // Readers keep the old array until the new one is published; it is never written again.
                var grown = new CallLabelSet?[slots.Length * 2];
                foreach (var entry in slots)
                {
                    if (entry is not null)
                    {
                        Place(grown, entry);
                    }
                }

                Place(grown, added);
                Volatile.Write(ref this.slots, grown);
            }
            else
            {
                Volatile.Write(ref slots[i], added);
            }

            this.count++;
            return added;
        }
    }

    private static void Place(CallLabelSet?[] slots, CallLabelSet entry)
    {
        var mask = slots.Length - 1;
        var i = entry.Hash & mask;
        while (slots[i] is not null)
        {
            i = (i + 1) & mask;
        }

        slots[i] = entry;
    }
}
