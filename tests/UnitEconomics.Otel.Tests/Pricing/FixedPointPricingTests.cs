using System.Globalization;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using Xunit;

namespace UnitEconomics.Otel.Tests.Pricing;

/// <summary>
/// The calculator prices with integers when it can. It must give the same decimal as decimal
/// arithmetic — the same value and the same digits — and a pico-USD figure for counters.
/// </summary>
public class FixedPointPricingTests
{
    private static readonly (long Input, long CacheRead, long CacheWrite, long Output, long Reasoning)[] Mixes =
    [
        (1_200, 1_000, 0, 300, 50),
        (1, 0, 0, 0, 0),
        (0, 0, 0, 1, 0),
        (7, 3, 2, 5, 5),
        (200_001, 0, 0, 8_192, 0),
        (128_000, 64_000, 12_000, 32_000, 16_000),
        (3_000_000, 0, 0, 0, 0),
        (999_999_937, 0, 0, 999_999_929, 0),
    ];

    [Fact]
    public void Every_price_set_of_the_LiteLLM_catalog_gives_the_decimal_arithmetic_result_digit_for_digit()
    {
        var catalog = PriceCatalog.Load(UnitEconomics.TestSupport.RepoPaths.LiteLlmCatalog);
        var sets = catalog.Entries.SelectMany(e => new[] { e.Standard, e.Batch }.Concat(e.Tiers.Select(t => t.Prices))).OfType<PriceSet>().ToList();
        Assert.True(sets.Count > 2_500);
        var integerPriced = 0;
        foreach (var set in sets)
        {
            foreach (var m in Mixes)
            {
                var call = new GenAiCall { InputTokens = m.Input, CacheReadTokens = m.CacheRead, CacheWriteTokens = m.CacheWrite, OutputTokens = m.Output, ReasoningTokens = m.Reasoning };
                var expected = CostCalculator.DecimalTotal(call.Parts, set);
                var cost = CostCalculator.Calculate(call, new ModelPrice { Id = "m", Standard = set });
                Assert.Equal(expected, cost.Total);
                Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), cost.Total.ToString(CultureInfo.InvariantCulture));
                var pico = decimal.Round(expected * 1_000_000_000_000m, MidpointRounding.AwayFromZero);
                Assert.Equal(pico > long.MaxValue ? long.MaxValue : (long)pico, cost.TotalPicoUsd);
            }

            integerPriced += set.FixedPoint.Usable ? 1 : 0;
        }

        // Nearly every real price has few decimals: the integer path is the common one.
        Assert.True(integerPriced > sets.Count * 9 / 10, $"{integerPriced} of {sets.Count}");
    }

    [Fact]
    public void Total_and_pico_usd_by_hand()
    {
        var set = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10.00m };
        var cost = CostCalculator.Calculate(new GenAiCall { InputTokens = 1_200, CacheReadTokens = 1_000, OutputTokens = 300, ReasoningTokens = 50 }, new ModelPrice { Id = "gpt-4o", Standard = set });
        // 200 × 2.50 + 1,000 × 1.25 + 250 × 10.00 + 50 × 10.00 = 500 + 1,250 + 2,500 + 500 = 4,750 / 1e6
        Assert.Equal("0.00475000", cost.Total.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(4_750_000_000L, cost.TotalPicoUsd);
        Assert.True(set.FixedPoint.Usable);
    }

    [Fact]
    public void Pico_usd_rounds_half_away_from_zero_below_a_pico_dollar()
    {
        // 0.0000005 USD per million tokens: 3 tokens cost 0.0000000000015 USD = 1.5 pico-USD.
        var set = new PriceSet { Input = 0.0000005m };
        var cost = CostCalculator.Calculate(new GenAiCall { InputTokens = 3 }, new ModelPrice { Id = "tiny", Standard = set });
        Assert.Equal(0.0000000000015m, cost.Total);
        Assert.Equal(2L, cost.TotalPicoUsd);
    }

    [Fact]
    public void Prices_with_more_than_twelve_decimals_take_the_decimal_path_with_the_same_result()
    {
        var set = new PriceSet { Input = 0.0000000000001m, Output = 3m };
        Assert.False(set.FixedPoint.Usable);
        var cost = CostCalculator.Calculate(new GenAiCall { InputTokens = 10, OutputTokens = 2 }, new ModelPrice { Id = "odd", Standard = set });
        // 10 × 0.0000000000001 + 2 × 3 = 6.000000000001 → / 1e6
        Assert.Equal(0.000006000000000001m, cost.Total);
        Assert.Equal(6_000_000L, cost.TotalPicoUsd);
    }

    [Fact]
    public void A_sum_too_large_for_integers_falls_back_to_decimals()
    {
        var set = new PriceSet { Input = 15_000.123456789012m };
        var call = new GenAiCall { InputTokens = 4_000_000_000 };
        var cost = CostCalculator.Calculate(call, new ModelPrice { Id = "huge", Standard = set });
        // 4e9 × 15,000.123456789012 / 1e6 = 60,000,493.827156048 USD
        Assert.Equal(60_000_493.827156048m, cost.Total);
        Assert.Equal(long.MaxValue, cost.TotalPicoUsd); // beyond 9.2 million USD a pico counter saturates
    }

    [Fact]
    public void Per_call_price_is_added_to_the_token_cost()
    {
        var set = new PriceSet { Input = 0.10m, PerCall = 0.0025m };
        var cost = CostCalculator.Calculate(new GenAiCall { InputTokens = 500 }, new ModelPrice { Id = "rerank", Standard = set });
        // 500 × 0.10 / 1e6 = 0.00005; + 0.0025 per call
        Assert.Equal(0.00255m, cost.Total);
        Assert.Equal(2_550_000_000L, cost.TotalPicoUsd);
    }

    [Fact]
    public void A_with_copy_derives_its_own_integer_prices_and_equality_ignores_them()
    {
        var a = new PriceSet { Input = 1m, Output = 2m };
        _ = a.FixedPoint;
        var b = a with { Input = 4m };
        var cost = CostCalculator.Calculate(new GenAiCall { InputTokens = 1_000_000 }, new ModelPrice { Id = "x", Standard = b });
        Assert.Equal(4m, cost.Total);
        Assert.Equal(new PriceSet { Input = 1m, Output = 2m }, a);
        Assert.Equal(a.GetHashCode(), new PriceSet { Input = 1m, Output = 2m }.GetHashCode());
    }
}
