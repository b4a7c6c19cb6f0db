using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Simulation;
using UnitEconomics.Cli.Tests.Support;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reconciliation;

/// <summary>The weekly report carries the reconciliation as its last section when bills were given, in every format.</summary>
[Collection(InProcessDemoCollection.Name)]
public sealed class ReportReconciliationSectionTests
{
    [Fact]
    public async Task The_report_shows_the_reconciliation_in_text_json_and_csv()
    {
        var start = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        await using var demo = DemoEnvironment.Create(new DemoSettings { Days = 1 });
        await demo.RunAsync();
        var day = start;
        var bill = new ProviderBill("openai", [new BilledCost(day, "gpt-4.1-nano-2025-04-14", 12.5m, "gpt-4.1-nano-2025-04-14, input")], []);
        var reconciliation = Reconciler.Reconcile([bill], EstimateSources.FromRollup(demo.Rollup), demo.Catalog, day, day.AddDays(1), "demo");
        var report = demo.Report(start, start.AddDays(1), "demo") with { Reconciliation = reconciliation };

        var markdown = ReportRenderer.Render(report, ReportFormat.Markdown);
        Assert.Contains("## Provider bills against estimates (2026-10-01 to 2026-10-02, whole UTC days, tolerance 2%)", markdown);
        Assert.Contains("### By provider, day and model", markdown);
        Assert.Contains("| 2026-10-01 | openai | gpt-4.1-nano |", markdown);
        Assert.DoesNotContain("Provider bills", ReportRenderer.Render(report with { Reconciliation = null }, ReportFormat.Markdown));

        var back = ReportRenderer.FromJson(ReportRenderer.Render(report, ReportFormat.Json))!;
        Assert.Equal(12.5m, back.Reconciliation!.Providers.Single().BilledUsd);
        Assert.Equal(reconciliation.Rows.Select(r => (r.Model, r.Verdict)), back.Reconciliation.Rows.Select(r => (r.Model, r.Verdict)));
        Assert.DoesNotContain("\"reconciliation\"", ReportRenderer.Render(report with { Reconciliation = null }, ReportFormat.Json));

        var folder = Directory.CreateTempSubdirectory("ue-report-csv-").FullName;
        try
        {
            await ReportOutput.WriteAsync(report, ReportFormat.Csv, folder, TextWriter.Null);
            var csv = await File.ReadAllTextAsync(Path.Combine(folder, "reconciliation.csv"));
            Assert.StartsWith(string.Join(",", ReconciliationRenderer.CsvColumns), csv);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
