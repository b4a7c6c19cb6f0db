using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

/// <summary>
/// The report's what-ifs and the demo's bills priced through the engine (<see cref="UsagePricing"/> asking
/// <c>CallPricer</c>). Every expected amount is worked out by hand in the test, from the prices below
/// (USD per million tokens): never by calling the code under test.
/// </summary>
public sealed class SavingsPricingTests
{
    private static readonly DateTime At = new(2026, 10, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The long-context tier of <c>long-model</c>: above 200,000 input tokens a call is billed whole at these prices.</summary>
    private static readonly PriceSet LongTier = new() { Input = 6m, CachedInput = 0.60m, CacheWrite = 7.50m, Output = 22.50m };

    private static readonly PriceCatalog Catalog = new(
    [
        new ModelPrice { Id = "flat-model", Provider = "acme", Standard = new PriceSet { Input = 2.50m, CachedInput = 0.25m, Output = 10m } },
        new ModelPrice
        {
            Id = "long-model",
            Provider = "acme",
            Standard = new PriceSet { Input = 3m, CachedInput = 0.30m, CacheWrite = 3.75m, Output = 15m },
            Tiers = [new PriceTier(200_000, LongTier)],
        },

        // No cached-input and no reasoning price: cache reads fall back to the input price, reasoning to the output price.
        new ModelPrice { Id = "bare-model", Provider = "acme", Standard = new PriceSet { Input = 1m, Output = 2m } },

        // The demo's providers, for the ledger's bills.
        new ModelPrice { Id = "gpt-4.1-mini", Provider = "openai", Standard = new PriceSet { Input = 0.40m, CachedInput = 0.10m, Output = 1.60m } },
        new ModelPrice
        {
            Id = "claude-x",
            Provider = "anthropic",
            Standard = new PriceSet { Input = 3m, CachedInput = 0.30m, CacheWrite = 3.75m, Output = 15m },
            Tiers = [new PriceTier(200_000, LongTier)],
        },
    ]);

    [Fact]
    public void A_plain_model_costs_its_tokens_at_its_prices_whatever_the_split_into_calls()
    {
        // 10,001 input tokens over 4 calls do not divide evenly (2,500 × 3 + 2,501 × 1): the totals are kept.
        var priced = UsagePricing.Price(Catalog, new ModelUsage("acme", "flat-model", Calls: 4, UncachedInput: 10_001, CacheRead: 3, CacheWrite: 0, Output: 2_002, Reasoning: 0), At);

        Assert.NotNull(priced);
        Assert.Equal(0.0250025m, priced.UncachedInput); // 10,001 × $2.50 / 1M
        Assert.Equal(0.00000075m, priced.CacheRead);    //      3 × $0.25 / 1M
        Assert.Equal(0.02002m, priced.Output);          //  2,002 × $10   / 1M
        Assert.Equal(0.04502325m, priced.Total);        // 0.0250025 + 0.00000075 + 0.02002
    }

    [Fact]
    public void A_call_above_the_context_tier_is_priced_whole_at_the_tier_prices()
    {
        // One call of 230,000 uncached + 20,000 cache-read input tokens: 250,000 > 200,000, so the whole call is at the tier.
        var one = UsagePricing.Price(Catalog, new ModelUsage("acme", "long-model", 1, 230_000, 20_000, 0, 1_000, 0), At);
        Assert.NotNull(one);
        Assert.Equal(1.38m, one.UncachedInput); // 230,000 × $6    / 1M
        Assert.Equal(0.012m, one.CacheRead);    //  20,000 × $0.60 / 1M
        Assert.Equal(0.0225m, one.Output);      //   1,000 × $22.50 / 1M
        Assert.Equal(1.4145m, one.Total);       // the old report's own arithmetic said 0.69 + 0.006 + 0.015 = 0.711 (standard prices)

        // The same tokens as two calls of 125,000 input tokens each: neither is above the threshold.
        var two = UsagePricing.Price(Catalog, new ModelUsage("acme", "long-model", 2, 230_000, 20_000, 0, 1_000, 0), At);
        Assert.Equal(0.711m, two!.Total); // 230,000 × $3 / 1M + 20,000 × $0.30 / 1M + 1,000 × $15 / 1M = 0.69 + 0.006 + 0.015

        // The threshold is exclusive: exactly 200,000 input tokens is standard.
        Assert.Equal(0.6m, UsagePricing.Price(Catalog, new ModelUsage("acme", "long-model", 1, 200_000, 0, 0, 0, 0), At)!.Total); // 200,000 × $3 / 1M
    }

    [Fact]
    public void An_aggregate_straddling_the_threshold_splits_into_calls_of_the_mean_size()
    {
        // 400,001 input tokens over 2 calls: one call of 200,001 (above the tier) and one of 200,000 (not).
        var priced = UsagePricing.Price(Catalog, new ModelUsage("acme", "long-model", 2, 400_001, 0, 0, 0, 0), At);
        Assert.Equal(1.800006m, priced!.Total); // 200,001 × $6 / 1M + 200,000 × $3 / 1M = 1.200006 + 0.6
    }

    [Fact]
    public void A_model_missing_from_the_catalog_gets_the_engines_fallback_never_a_zero()
    {
        // A dated version of a catalogued model resolves to its entry, as it does for a span.
        var dated = UsagePricing.Price(Catalog, new ModelUsage("acme", "flat-model-2025-06-01", 1, 1_000, 0, 0, 0, 0), At);
        Assert.Equal(0.0025m, dated!.Total); // 1,000 × $2.50 / 1M

        // A model no entry answers to is unpriced: no figure (unknown), not $0.
        Assert.Null(UsagePricing.Price(Catalog, new ModelUsage("acme", "nobody-prices-this", 3, 1_000, 0, 0, 100, 0), At));
        Assert.Null(UsagePricing.Price(Catalog, new ModelUsage("acme", "nobody-prices-this", 0, 0, 0, 0, 0, 0), At));

        // Prices an entry leaves unset fall back: cache reads at the input price, reasoning at the output price.
        var bare = UsagePricing.Price(Catalog, new ModelUsage("acme", "bare-model", 1, 0, 1_000, 0, 500, 500), At);
        Assert.Equal(0.001m, bare!.CacheRead);  // 1,000 × $1 (input) / 1M
        Assert.Equal(0.001m, bare.Reasoning);   //   500 × $2 (output) / 1M
        Assert.Equal(0.003m, bare.Total);       // + 500 × $2 / 1M plain output
    }

    [Fact]
    public void Prompt_caching_saved_the_cache_reads_discount_at_the_calls_own_tier()
    {
        var inputs = Inputs();
        inputs.UseCaseModels[("chat", "acme", "flat-model")] = new UsageTotals { Cost = 0.2m, Calls = 10, InputTokens = 40_000, CacheReadTokens = 60_000, OutputTokens = 5_000 };
        // One call of 50,000 + 200,000 = 250,000 input tokens: above the tier, so the discount is the tier's.
        inputs.UseCaseModels[("docs", "acme", "long-model")] = new UsageTotals { Cost = 1m, Calls = 1, InputTokens = 50_000, CacheReadTokens = 200_000, OutputTokens = 1_000 };
        // No cached-input price: a cache read costs the input price, nothing saved.
        inputs.UseCaseModels[("plain", "acme", "bare-model")] = new UsageTotals { Cost = 0.1m, Calls = 5, InputTokens = 1_000, CacheReadTokens = 10_000 };
        // Unpriced: nothing known, nothing claimed.
        inputs.UseCaseModels[("ghost", "acme", "nobody-prices-this")] = new UsageTotals { Calls = 5, InputTokens = 1_000, CacheReadTokens = 10_000 };

        var realised = SavingsCalculator.Realised(inputs, Catalog);

        Assert.Equal(
            [
                ("prompt caching", "chat", 0.135m), // 60,000 × ($2.50 − $0.25) / 1M
                ("prompt caching", "docs", 1.08m),  // 200,000 × ($6 − $0.60) / 1M; at standard prices it would be 200,000 × ($3 − $0.30) / 1M = 0.54
            ],
            realised.Select(r => (r.Lever, r.UseCase, r.Saving)));
    }

    [Fact]
    public void Batch_calls_saved_their_list_price_through_the_engine_minus_what_they_cost()
    {
        var inputs = Inputs();
        var batch = new UsageTotals { Cost = 0.225m, Calls = 2, InputTokens = 100_000, OutputTokens = 10_000 };
        inputs.UseCaseModels[("nightly", "acme", "long-model")] = new UsageTotals { Cost = 0.225m, Calls = 2, InputTokens = 100_000, OutputTokens = 10_000, Batch = batch };

        var saving = Assert.Single(SavingsCalculator.Realised(inputs, Catalog));

        // Two calls of 50,000 input tokens (below the tier): 100,000 × $3 / 1M + 10,000 × $15 / 1M = 0.45 at list, minus 0.225 paid.
        Assert.Equal(("batch processing", "nightly", 0.225m), (saving.Lever, saving.UseCase, saving.Saving));
    }

    [Fact]
    public void The_demos_bill_prices_the_ledger_through_the_engine_with_the_planted_raise()
    {
        var ledger = new ProviderLedger(seed: 1, startUtc: new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), days: 30);
        Assert.Equal(new DateTime(2026, 10, 16, 0, 0, 0, DateTimeKind.Utc), ledger.RepricedFromUtc);

        // One call of 250,000 input tokens, 50,000 of them cached: above claude-x's 200,000 tier.
        ledger.RecordChat(new DateTime(2026, 10, 2, 10, 0, 0, DateTimeKind.Utc), "anthropic", "claude-x", input: 250_000, cached: 50_000, output: 1_000);
        // A model nobody prices is not on the bill.
        ledger.RecordChat(new DateTime(2026, 10, 2, 11, 0, 0, DateTimeKind.Utc), "anthropic", "claude-unknown", input: 1_000, cached: 0, output: 10);
        // gpt-4.1-mini after the raise: every price × 1.10.
        ledger.RecordChat(new DateTime(2026, 10, 20, 9, 0, 0, DateTimeKind.Utc), "openai", ProviderLedger.RepricedModel, input: 1_000_000, cached: 0, output: 100_000);

        var anthropic = ledger.Bill(AnthropicAdminApi.Api, Catalog);
        Assert.Equal(
            [
                ("claude-x Usage - Input Tokens", 1.23m),    // 200,000 × $6 / 1M + 50,000 × $0.60 / 1M = 1.2 + 0.03 (standard prices would say 0.615)
                ("claude-x Usage - Output Tokens", 0.0225m), // 1,000 × $22.50 / 1M
            ],
            anthropic.Costs.Select(c => (c.Description, c.Usd)));

        var openAi = ledger.Bill(OpenAiAdminApi.Api, Catalog);
        Assert.Equal(
            [
                ("gpt-4.1-mini, input", 0.44m),   // 1,000,000 × $0.40 / 1M × 1.10
                ("gpt-4.1-mini, output", 0.176m), //   100,000 × $1.60 / 1M × 1.10
            ],
            openAi.Costs.Select(c => (c.Description, c.Usd)));
        Assert.Equal(new TokenCounts(1_000_000, 0, 0, 100_000), Assert.Single(openAi.Usage).Tokens);
    }

    private static ReportInputs Inputs() => new()
    {
        FromUtc = At.AddDays(-30),
        ToUtc = At,
        Source = "test",
        Directory = TenantDirectory.Empty,
    };
}
