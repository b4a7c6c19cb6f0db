using System.Text;
using UnitEconomics.Exporter.Otlp;

namespace UnitEconomics.Exporter.Tests.Otlp;

/// <summary>The direct-mapped caches of decoded keys and label values.</summary>
public sealed class OtlpStringsTests
{
    [Fact]
    public void Label_values_that_differ_only_in_their_last_character_spread_over_the_cache()
    {
        // 200 tenant ids and 100 agent ids, as the load generator sends them: with the slot taken from
        // bits the last character never reached they shared 26 slots of the 8,192 and evicted each other
        // on every span; spread, they take 290 (the rest are the chance collisions of 300 values).
        var values = Enumerable.Range(0, 200).Select(i => $"tenant-{i:D5}").Concat(Enumerable.Range(0, 100).Select(i => $"asst_{i:D3}"));
        var slots = values.Select(v => OtlpStrings.Utf8Cache.Hash(Encoding.UTF8.GetBytes(v)) & 8191).Distinct().Count();
        Assert.Equal(290, slots);
    }

    [Fact]
    public void A_cached_label_value_comes_back_as_the_same_instance()
    {
        var first = OtlpStrings.Value("tenant-00195"u8, cache: true);
        var other = OtlpStrings.Value("tenant-00196"u8, cache: true);
        Assert.Equal("tenant-00195", first);
        Assert.Equal("tenant-00196", other);
        Assert.NotEqual(OtlpStrings.Utf8Cache.Hash("tenant-00195"u8) & 8191, OtlpStrings.Utf8Cache.Hash("tenant-00196"u8) & 8191);

        // Tests running beside this one build engines, and each new engine retires every cached entry
        // (KeysInterned): one pair of reads may straddle that. A cache that works returns one instance
        // for nearly every pair; a broken one for none.
        var cachedPairs = Enumerable.Range(0, 100).Count(_ =>
        {
            var cached = OtlpStrings.Value("tenant-00195"u8, cache: true);
            OtlpStrings.Value("tenant-00196"u8, cache: true); // its neighbour, read between, must not evict it
            return ReferenceEquals(cached, OtlpStrings.Value("tenant-00195"u8, cache: true));
        });
        Assert.True(cachedPairs > 0, "the cache never returned the same instance twice");
        Assert.NotSame(first, OtlpStrings.Value("tenant-00195"u8, cache: false));
    }
}
