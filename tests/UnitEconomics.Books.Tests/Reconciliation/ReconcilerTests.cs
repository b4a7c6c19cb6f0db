using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Books.Tests.Support;
using UnitEconomics.Otel.Pricing;
using Xunit;

namespace UnitEconomics.Books.Tests.Reconciliation;

/// <summary>Each verdict from a bill and an estimate built by hand, with every figure worked out in the comments.</summary>
public sealed class ReconcilerTests
{
    private static readonly PriceCatalog Catalog = PriceCatalog.LoadDefault();
    private static readonly DateTime Day1 = BillPages.Day1;
    private static readonly DateTime Day2 = BillPages.Day2;
    private static readonly DateTime Day3 = BillPages.Day3;

    private static ProviderBill OpenAiBill() => new(
        "openai",
        [
            // Day 1, gpt-4.1-mini ($0.40/M input, $0.10/M cached, $1.60/M output): 800k × 0.4 + 200k × 0.1 + 100k × 1.6 = $0.50.
            new(Day1, "gpt-4.1-mini-2025-04-14", 0.34m, "gpt-4.1-mini-2025-04-14, input"),
            new(Day1, "gpt-4.1-mini-2025-04-14", 0.16m, "gpt-4.1-mini-2025-04-14, output"),
            new(Day1, "gpt-4.1-nano-2025-04-14", 0.25m, "gpt-4.1-nano-2025-04-14, input"),

            // Day 2, the same mini tokens billed $0.60: the provider charged more than the catalog says.
            new(Day2, "gpt-4.1-mini-2025-04-14", 0.60m, "gpt-4.1-mini-2025-04-14, input"),

            // Day 2, gpt-4o: 1M input × $2.50 + 100k output × $10 = $3.50.
            new(Day2, "gpt-4o-2024-08-06", 3.50m, "gpt-4o-2024-08-06, input"),
        ],
        [
            new(Day1, "gpt-4.1-mini-2025-04-14", new TokenCounts(800_000, 200_000, 0, 100_000), 10),
            new(Day1, "gpt-4.1-nano-2025-04-14", new TokenCounts(2_000_000, 0, 0, 125_000), 10),
            new(Day2, "gpt-4.1-mini-2025-04-14", new TokenCounts(800_000, 200_000, 0, 100_000), 10),
            new(Day2, "gpt-4o-2024-08-06", new TokenCounts(1_000_000, 0, 0, 100_000), 10),
        ]);

    private static List<EstimatedUsage> OpenAiEstimates() =>
    [
        new("openai", Day1, "gpt-4.1-mini", 0.50m, new TokenCounts(800_000, 200_000, 0, 100_000)),
        new("openai", Day2, "openai/gpt-4.1-mini", 0.50m, new TokenCounts(800_000, 200_000, 0, 100_000)),

        // 900k of 1M input and 90k of 100k output traced: 990k of 1.1M = 90 %; $3.50 × 0.9 = $3.15.
        new("openai", Day2, "gpt-4o", 3.15m, new TokenCounts(900_000, 0, 0, 90_000)),

        // A provider without a bill is left out.
        new("cohere", Day1, "rerank-v3.5", 9m, default),
    ];

    private static ReconciliationResult Reconcile(double tolerance = Reconciler.DefaultTolerance) =>
        Reconciler.Reconcile([OpenAiBill()], OpenAiEstimates(), Catalog, Day1, Day3, "hand-built", tolerance);

    private static ReconciliationRow RowOf(ReconciliationResult result, DateTime day, string model) =>
        Assert.Single(result.Rows, r => r.Day == day && r.Model == model);

    [Fact]
    public void Matched_when_tokens_and_cost_agree_and_dated_names_meet_the_span_name()
    {
        var row = RowOf(Reconcile(), Day1, "gpt-4.1-mini");
        Assert.Equal(Verdict.Matched, row.Verdict);
        Assert.Equal("gpt-4.1-mini, gpt-4.1-mini-2025-04-14", row.Names);
        Assert.Equal(0.50m, row.BilledUsd);
        Assert.Equal(0.50m, row.EstimatedUsd);
        Assert.Equal(1.0, row.CostRatio);
        Assert.Equal(1.0, row.Coverage);
    }

    [Fact]
    public void Price_drift_when_tokens_agree_and_cost_does_not_names_the_model()
    {
        var row = RowOf(Reconcile(), Day2, "gpt-4.1-mini");
        Assert.Equal(Verdict.PriceDrift, row.Verdict);
        Assert.Equal(1.0, row.Coverage);
        Assert.Equal(0.5 / 0.6, row.CostRatio!.Value, 12); // $0.50 ÷ $0.60
        Assert.Equal("tokens agree but the estimate is -16.7% off the bill ($0.50 against $0.60): the catalog's price for gpt-4.1-mini is not what openai charged", row.Note);
    }

    [Fact]
    public void Coverage_gap_when_traced_tokens_fall_short_gives_the_untraced_share()
    {
        var row = RowOf(Reconcile(), Day2, "gpt-4o");
        Assert.Equal(Verdict.CoverageGap, row.Verdict);
        Assert.Equal(0.9, row.Coverage!.Value, 12); // 990,000 ÷ 1,100,000
        Assert.Equal(new TokenCounts(1_000_000, 0, 0, 100_000), row.BilledTokens);
        Assert.Equal(new TokenCounts(900_000, 0, 0, 90_000), row.TracedTokens);
        Assert.Equal("10.0% of billed tokens untraced (110,000 tokens): untraced or sampled calls", row.Note); // per token $3.15/990k = $3.50/1.1M: no price note
    }

    [Fact]
    public void Bill_only_when_nothing_was_traced()
    {
        var row = RowOf(Reconcile(), Day1, "gpt-4.1-nano");
        Assert.Equal(Verdict.BillOnly, row.Verdict);
        Assert.Equal(0.25m, row.BilledUsd);
        Assert.Equal(0m, row.EstimatedUsd);
        Assert.Equal(0.0, row.Coverage);
    }

    [Fact]
    public void Estimate_only_when_the_bill_has_nothing()
    {
        var bill = new ProviderBill("anthropic",
            [new(Day1, "claude-haiku-4-5-20251001", 1.00m, "Claude Haiku 4.5 Usage - Input Tokens")],
            [new(Day1, "claude-haiku-4-5-20251001", new TokenCounts(500_000, 0, 0, 100_000), 0)]);
        var result = Reconciler.Reconcile([bill],
            [
                new("anthropic", Day1, "claude-haiku-4-5", 1.00m, new TokenCounts(500_000, 0, 0, 100_000)),
                new("anthropic", Day1, "claude-sonnet-4-5", 0.75m, new TokenCounts(100_000, 0, 0, 30_000)),
            ],
            Catalog, Day1, Day2, "hand-built");

        Assert.Equal(Verdict.Matched, RowOf(result, Day1, "claude-haiku-4-5").Verdict);
        var row = RowOf(result, Day1, "claude-sonnet-4-5");
        Assert.Equal(Verdict.EstimateOnly, row.Verdict);
        Assert.Null(row.CostRatio);
        Assert.Null(row.Coverage);
        Assert.Equal(1.75 / 1.00, result.Providers.Single().EstimateRatio); // ($1.00 + $0.75) ÷ $1.00
    }

    [Fact]
    public void Provider_totals_are_the_window_sums()
    {
        var result = Reconcile();
        var openai = Assert.Single(result.Providers);
        Assert.Equal(4.85m, openai.BilledUsd);     // 0.34 + 0.16 + 0.25 + 0.60 + 3.50
        Assert.Equal(4.15m, openai.EstimatedUsd);  // 0.50 + 0.50 + 3.15 (the cohere estimate is not openai's)
        Assert.Equal((double)(4.15m / 4.85m), openai.EstimateRatio);

        // input: traced 800k + 800k + 900k = 2.5M of billed 800k + 2M + 800k + 1M = 4.6M;
        // cache_read: 400k of 400k; output: 290k of 100k + 125k + 100k + 100k = 425k; no cache writes billed.
        Assert.Equal(2_500_000.0 / 4_600_000, openai.Coverage["input"], 12);
        Assert.Equal(1.0, openai.Coverage["cache_read"]);
        Assert.Equal(290_000.0 / 425_000, openai.Coverage["output"], 12);
        Assert.False(openai.Coverage.ContainsKey("cache_write"));
        Assert.Equal(Day3, openai.ReconciledUntil);
        Assert.Equal(1, openai.Verdicts[Verdict.Matched]);
        Assert.Equal(1, openai.Verdicts[Verdict.PriceDrift]);
        Assert.Equal(1, openai.Verdicts[Verdict.CoverageGap]);
        Assert.Equal(1, openai.Verdicts[Verdict.BillOnly]);
        Assert.Equal(4, result.Rows.Count);
    }

    [Theory]
    [InlineData(0.02, 0.98, Verdict.Matched)]      // exactly at the tolerance is within it
    [InlineData(0.02, 0.979, Verdict.PriceDrift)]
    [InlineData(0.01, 0.985, Verdict.PriceDrift)]
    [InlineData(0.05, 0.951, Verdict.Matched)]
    public void The_tolerance_bounds_matched(double tolerance, double estimatedOfBilled, Verdict expected)
    {
        var bill = new ProviderBill("openai", [new(Day1, "gpt-4.1-mini", 1.000m, "x")], [new(Day1, "gpt-4.1-mini", new TokenCounts(1_000, 0, 0, 0), 1)]);
        var estimate = new EstimatedUsage("openai", Day1, "gpt-4.1-mini", (decimal)estimatedOfBilled, new TokenCounts(1_000, 0, 0, 0));
        var row = Reconciler.Reconcile([bill], [estimate], Catalog, Day1, Day2, "hand-built", tolerance).Rows.Single();
        Assert.Equal(expected, row.Verdict);
    }

    [Fact]
    public void A_day_whose_costs_name_no_model_is_reconciled_as_a_whole()
    {
        var bill = new ProviderBill("openai",
            [new(Day1, null, 0.75m, "(all line items)")],
            [
                new(Day1, "gpt-4.1-mini-2025-04-14", new TokenCounts(800_000, 200_000, 0, 100_000), 1),
                new(Day1, "gpt-4.1-nano-2025-04-14", new TokenCounts(2_000_000, 0, 0, 125_000), 1),
            ]);
        var result = Reconciler.Reconcile([bill], OpenAiEstimates(), Catalog, Day1, Day2, "hand-built");

        // One row: $0.75 billed against the $0.50 of mini (nano untraced); 1.1M traced of 3.225M billed.
        var row = Assert.Single(result.Rows);
        Assert.Equal(Reconciler.AllModels, row.Model);
        Assert.Equal(0.75m, row.BilledUsd);
        Assert.Equal(0.50m, row.EstimatedUsd);
        Assert.Equal(1_100_000.0 / 3_225_000, row.Coverage!.Value, 12);
        Assert.Equal(Verdict.CoverageGap, row.Verdict);
    }

    [Fact]
    public void Quiet_days_at_the_end_of_the_window_count_as_reconciled()
    {
        // The bill has nothing after day 2 (no traffic), but the window to day 6 was read: reconciled until day 6.
        var result = Reconciler.Reconcile([OpenAiBill()], OpenAiEstimates(), Catalog, Day1, Day1.AddDays(5), "hand-built");
        Assert.Equal(Day1.AddDays(5), result.Providers.Single().ReconciledUntil);
    }

    [Fact]
    public void Days_outside_the_window_are_left_out()
    {
        var result = Reconciler.Reconcile([OpenAiBill()], OpenAiEstimates(), Catalog, Day2, Day3, "hand-built");
        Assert.All(result.Rows, r => Assert.Equal(Day2, r.Day));
        Assert.Equal(4.10m, result.Providers.Single().BilledUsd); // 0.60 + 3.50
    }
}
