using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Books.Tests.Support;
using UnitEconomics.Otel.Pricing;
using Xunit;

namespace UnitEconomics.Books.Tests.Reconciliation;

public sealed class ReconciliationRendererTests
{
    private static ReconciliationResult Result()
    {
        var bill = new ProviderBill("openai",
            [new(BillPages.Day1, "gpt-4.1-mini-2025-04-14", 0.60m, "gpt-4.1-mini-2025-04-14, input"), new(BillPages.Day1, "gpt-4o, input", 1.25m, "gpt-4o, input")],
            [new(BillPages.Day1, "gpt-4.1-mini-2025-04-14", new TokenCounts(800_000, 200_000, 0, 100_000), 3)]);
        return Reconciler.Reconcile([bill], [new("openai", BillPages.Day1, "gpt-4.1-mini", 0.50m, new TokenCounts(800_000, 200_000, 0, 100_000))],
            PriceCatalog.LoadDefault(), BillPages.Day1, BillPages.Day2, "hand-built");
    }

    [Fact]
    public void Csv_is_tidy_one_header_and_one_line_per_row_with_fixed_columns()
    {
        var lines = ReconciliationRenderer.ToCsv(Result()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", ReconciliationRenderer.CsvColumns), lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("openai,2026-10-01,gpt-4.1-mini,\"gpt-4.1-mini, gpt-4.1-mini-2025-04-14\",price drift,0.6,0.5,", lines[1]);
        Assert.Contains(",800000,200000,0,100000,800000,200000,0,100000,1,", lines[1]);
        Assert.StartsWith("openai,2026-10-01,\"gpt-4o, input\"", lines[2]);
        Assert.Contains(",bill-only,1.25,0,0,0,0,0,0,0,0,0,0,,\"nothing traced", lines[2]); // cost ratio 0 ÷ 1.25 = 0; no billed tokens: no coverage
    }

    [Fact]
    public void Json_round_trips_with_snake_case_verdicts()
    {
        var json = ReconciliationRenderer.ToJson(Result());
        Assert.Contains("\"verdict\": \"price_drift\"", json);
        Assert.Contains("\"billed_tokens\": {", json);
        var back = ReconciliationRenderer.FromJson(json)!;
        Assert.Equal(Result().Rows.Select(r => (r.Model, r.Verdict, r.BilledUsd, r.EstimatedUsd, r.BilledTokens)), back.Rows.Select(r => (r.Model, r.Verdict, r.BilledUsd, r.EstimatedUsd, r.BilledTokens)));
        Assert.Equal(1.85m, back.Providers.Single().BilledUsd);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Table_and_markdown_show_the_provider_totals_and_every_row(bool markdown)
    {
        var text = ReconciliationRenderer.ToText(Result(), markdown);
        Assert.Contains("price drift", text);
        Assert.Contains("bill-only", text);
        Assert.Contains("$1.85", text);
        Assert.Contains("1 price drift, 1 bill-only", text);
        if (markdown)
        {
            Assert.Contains("## By provider, day and model", text);
            Assert.Contains("| 2026-10-01 | openai | gpt-4.1-mini | price drift |", text);
        }
    }
}
