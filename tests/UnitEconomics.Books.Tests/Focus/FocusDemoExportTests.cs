using UnitEconomics.Books.Focus;
using UnitEconomics.Books.Focus.Check;
using UnitEconomics.Books.Focus.Export;
using UnitEconomics.Books.Focus.Files;
using UnitEconomics.Cli.Focus;
using UnitEconomics.Cli.Simulation;
using Xunit;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>The demo's FOCUS file passes the conformance check and holds, to the last decimal, what the demo's report totals.</summary>
public sealed class FocusDemoExportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("focus-demo-").FullName;

    [Fact]
    public async Task Demo_export_conforms_and_sums_to_the_reports_total_exactly_in_csv_and_parquet()
    {
        var rollup = new FocusRollup();
        var settings = new DemoSettings { Days = 10, Seed = 7, ExtraSinks = [rollup] };
        await using var demo = DemoEnvironment.Create(settings);
        await demo.RunAsync();
        var to = settings.StartUtc.AddDays(settings.Days);
        var report = demo.Report(settings.StartUtc, to, "demo");

        var csvFile = Path.Combine(this.folder, "demo.csv");
        var parquetFile = Path.Combine(this.folder, "demo.parquet");
        await FocusExportCommand.WriteDemoAsync(rollup, settings.StartUtc, to, csvFile, TextWriter.Null);
        await FocusExportCommand.WriteDemoAsync(rollup, settings.StartUtc, to, parquetFile, TextWriter.Null);
        var csv = await FocusFileReader.ReadAsync(csvFile);
        var parquet = await FocusFileReader.ReadAsync(parquetFile);

        foreach (var table in new[] { csv, parquet })
        {
            var check = FocusConformance.Check(table);
            Assert.True(check.Rows > 100, $"{check.Rows} rows");
            Assert.Contains(FocusAiExport.XTenant, check.CustomColumns);

            // Every row's BilledCost is a decimal read back as written; their sum is the report's total.
            var billed = Enumerable.Range(0, table.Rows.Count).Select(r => table.Decimal(r, FocusSpec.BilledCost)!.Value).ToList();
            Assert.True(report.TotalCost > 10m);
            Assert.Equal(report.TotalCost, billed.Sum());

            // Per tenant, too: the rows carry the tenant, and each tenant's rows add up to its report line.
            var byTenant = Enumerable.Range(0, table.Rows.Count)
                .GroupBy(r => table.Text(r, FocusAiExport.XTenant)!)
                .ToDictionary(g => g.Key, g => g.Sum(r => table.Decimal(r, FocusSpec.BilledCost)!.Value));
            Assert.Equal(report.AllTenants.ToDictionary(t => t.Tenant, t => t.Cost).OrderBy(kv => kv.Key), byTenant.Where(kv => kv.Value != 0m || report.AllTenants.Any(t => t.Tenant == kv.Key)).OrderBy(kv => kv.Key));

            // The AI mapping.
            Assert.All(Enumerable.Range(0, table.Rows.Count), r =>
            {
                Assert.Equal("AI and Machine Learning", table.Text(r, FocusSpec.ServiceCategory));
                Assert.Equal("Usage", table.Text(r, FocusSpec.ChargeCategory));
                Assert.Equal("USD", table.Text(r, FocusSpec.BillingCurrency));
                Assert.Equal(table.Text(r, FocusSpec.ProviderName) + "/", table.Text(r, FocusSpec.SkuId)![..(table.Text(r, FocusSpec.ProviderName)!.Length + 1)]);
                Assert.Contains(table.Text(r, FocusAiExport.XCostSource), new[] { "estimated", "reported" });
            });
        }

        // CSV and Parquet hold the same values, cell by cell.
        Assert.Equal(csv.Columns, parquet.Columns);
        Assert.Equal(csv.Rows.Count, parquet.Rows.Count);
        for (var r = 0; r < csv.Rows.Count; r++)
        {
            Assert.Equal(csv.Rows[r], parquet.Rows[r]);
        }
    }

    [Fact]
    public async Task Token_rows_count_tokens_and_per_call_rows_count_calls()
    {
        var day = new DateTime(2026, 10, 5, 0, 0, 0, DateTimeKind.Utc);
        var output = FocusAiExport.Build(
        [
            // gpt-4o 1,000 input + 200 output tokens at $2.50 / $10 per million: 0.0025 + 0.002 = 0.0045.
            new AiCostLine(day, day.AddDays(1), "acme", "pro", "openai", "gpt-4o", "support", "estimated", 0.0045m, 1, new LineTokens(1_000, 0, 0, 200, 0)),

            // Two vector searches at $0.001 per call: no tokens, so the quantity is 2 requests.
            new AiCostLine(day, day.AddDays(1), "acme", "pro", "pinecone", "vector-search", "search", "estimated", 0.002m, 2, default),
        ]);
        var file = Path.Combine(this.folder, "two.csv");
        await FocusFileWriter.WriteAsync(output, file, FocusFileFormat.Csv);
        var table = await FocusFileReader.ReadAsync(file);
        FocusConformance.Check(table);

        Assert.Equal("0.0045", table.Text(0, FocusSpec.BilledCost));
        Assert.Equal("1200", table.Text(0, FocusSpec.PricingQuantity));
        Assert.Equal("Tokens", table.Text(0, FocusSpec.PricingUnit));
        Assert.Equal("1200", table.Text(0, FocusSpec.ConsumedQuantity));
        Assert.Equal("openai/gpt-4o", table.Text(0, FocusSpec.SkuId));
        Assert.Equal("2026-10-01T00:00:00Z", table.Text(0, FocusSpec.BillingPeriodStart));
        Assert.Equal("2026-11-01T00:00:00Z", table.Text(0, FocusSpec.BillingPeriodEnd));
        Assert.Equal("2026-10-05T00:00:00Z", table.Text(0, FocusSpec.ChargePeriodStart));
        Assert.Equal("2026-10-06T00:00:00Z", table.Text(0, FocusSpec.ChargePeriodEnd));
        Assert.Null(table.Text(0, FocusSpec.ChargeClass));
        Assert.Equal("2", table.Text(1, FocusSpec.PricingQuantity));
        Assert.Equal("Requests", table.Text(1, FocusSpec.PricingUnit));
        Assert.Equal("0.002", table.Text(1, FocusSpec.EffectiveCost));
    }

    public void Dispose() => Directory.Delete(this.folder, recursive: true);
}
