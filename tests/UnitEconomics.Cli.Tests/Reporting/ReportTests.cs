using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Simulation;
using UnitEconomics.Cli.Tests.Support;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

[Collection(InProcessDemoCollection.Name)]
public sealed class ReportTests
{
    private static readonly TenantDirectory Directory = new(
        [new TierInfo("free", 0m, true, 100m), new TierInfo("pro", 29m, false, 60m)],
        [
            new TenantInfo("f1", "free", 0m, 1), new TenantInfo("f2", "free", 0m, 2),
            new TenantInfo("p1", "pro", 29m, 10), new TenantInfo("p2", "pro", 29m, 20), new TenantInfo("p3", "pro", 20m, 30),
        ]);

    [Fact]
    public void Tier_table_is_computed_from_tenants_directory_and_window()
    {
        var inputs = Inputs(days: 15);
        inputs.Tenants["f1"] = new TenantTotals { Tier = "free", Cost = 1.50m, Calls = 10 };
        inputs.Tenants["p1"] = new TenantTotals { Tier = "pro", Cost = 6.00m, Calls = 40 };
        inputs.Tenants["p2"] = new TenantTotals { Tier = "pro", Cost = 3.00m, Calls = 20 };

        var report = ReportBuilder.Build(inputs, PriceCatalog.Empty);

        var pro = report.Tiers.Single(t => t.Tier == "pro");
        Assert.Equal(3, pro.Customers);
        Assert.Equal(9.00m, pro.AiCost);
        Assert.Equal(6.00m, pro.AiCostPerCustomerPerMonth);          // 9.00 over 15 days → 18.00 a month, over 3 customers
        Assert.Equal(20.00m, pro.InfraCostPerCustomerPerMonth);      // 60 / 3
        Assert.Equal(26.00m, pro.CostPerCustomerPerMonth);
        Assert.Equal(26.00m, pro.RevenuePerCustomerPerMonth);        // (29 + 29 + 20) / 3, the override included
        Assert.Equal(0.00m, pro.MarginPerCustomerPerMonth);
        var free = report.Tiers.Single(t => t.Tier == "free");
        Assert.Equal(1.50m, free.AiCostPerCustomerPerMonth);         // 1.50 × 2 / 2 customers
        Assert.Equal(-51.50m, free.MarginPerCustomerPerMonth);       // −(1.50 + 100 / 2)
        Assert.Null(free.MarginPercent);
        Assert.Equal(10.50m, report.TotalCost);
        Assert.Equal(["p1", "p2", "f1"], report.TopTenants.Select(t => t.Tenant));
        Assert.Equal(12.00m, report.TopTenants[0].CostPerMonth);     // 6.00 over 15 days
    }

    [Fact]
    public void Negative_margin_and_margin_compression_flags()
    {
        var inputs = Inputs(days: 30);
        inputs.Tenants["p1"] = new TenantTotals { Tier = "pro", Cost = 60m, Calls = 1 };  // 60 / 3 = 20 + infra 20 = 40 > 26
        inputs.TierCostPrevious7Days["pro"] = 10m;
        inputs.TierCostLast7Days["pro"] = 11.01m;   // +10.1 % week over week

        var flags = ReportBuilder.Build(inputs, PriceCatalog.Empty).RedFlags;
        var negative = Assert.Single(flags, f => f.Alert == "AINegativeGrossMargin");
        Assert.Equal(("pro", -14.0), (negative.Subject, negative.Value));   // 26 − 40
        var compression = Assert.Single(flags, f => f.Alert == "AIMarginCompression");
        Assert.Equal(0.101, compression.Value, 12);

        inputs.TierCostLast7Days["pro"] = 11.00m;   // exactly +10 %: not above the threshold
        Assert.DoesNotContain(ReportBuilder.Build(inputs, PriceCatalog.Empty).RedFlags, f => f.Alert == "AIMarginCompression");
    }

    [Theory]
    [InlineData(1.00, 9.00, false)]   // exactly 10 %: not above
    [InlineData(1.01, 9.00, true)]    // 1.01 / 10.01 = 10.09 %
    public void Free_tier_share_flag_boundary(double free, double paid, bool fires)
    {
        var inputs = Inputs(days: 30);
        inputs.TierCostLast7Days["free"] = (decimal)free;
        inputs.TierCostLast7Days["pro"] = (decimal)paid;
        Assert.Equal(fires, ReportBuilder.Build(inputs, PriceCatalog.Empty).RedFlags.Any(f => f.Alert == "AIFreeTierSubsidyHigh"));
    }

    [Fact]
    public void Agent_multiplier_is_mean_task_cost_over_mean_single_shot_cost()
    {
        var inputs = Inputs(days: 30);
        inputs.Agents["support"] = new AgentTotals { Tasks = 10, TaskCost = 0.50m, TaskModelCalls = 60, TaskTokens = 145_000, SingleShots = 20, SingleShotCost = 0.20m };
        var report = ReportBuilder.Build(inputs, PriceCatalog.Empty);

        var row = Assert.Single(report.Agents);
        Assert.Equal(0.05m, row.MeanTaskCost);
        Assert.Equal(0.01m, row.MeanSingleShotCost);
        Assert.Equal(5.0, row.Multiplier);               // 0.05 / 0.01: exactly 5x fires
        Assert.Equal(6.0, row.MeanModelCalls);
        Assert.Equal(14_500, row.MeanTokens);
        Assert.Single(report.RedFlags, f => f.Alert == "AIAgentCostMultiplierHigh" && f.Subject == "support");
    }

    [Fact]
    public void Pearson_r_by_hand()
    {
        // x = 1,2,3,4; y = 2,4,5,4: n = 4, Σx = 10, Σy = 15, Σxy = 41, Σx² = 30, Σy² = 61
        // r = (4·41 − 10·15) / √((4·30 − 100)(4·61 − 225)) = 14 / √(20 · 19) = 14 / √380
        Assert.Equal(14 / Math.Sqrt(380), ReportBuilder.Pearson([1, 2, 3, 4], [2, 4, 5, 4])!.Value, 12);
        Assert.Null(ReportBuilder.Pearson([1, 1, 1], [1, 2, 3]));
    }

    [Fact]
    public void Batch_saving_uses_the_catalog_batch_prices()
    {
        var nano = new ModelPrice { Id = "gpt-4.1-nano", Provider = "openai", Standard = new PriceSet { Input = 0.10m, Output = 0.40m }, Batch = new PriceSet { Input = 0.05m, Output = 0.20m } };
        var inputs = Inputs(days: 30);
        inputs.UseCaseModels[("classification", "openai", "gpt-4.1-nano")] = new UsageTotals { Cost = 0.14m, Calls = 100, InputTokens = 1_000_000, OutputTokens = 100_000 };
        inputs.UseCases["classification"] = inputs.UseCaseModels[("classification", "openai", "gpt-4.1-nano")].Clone();
        var saving = Assert.Single(ReportBuilder.Build(inputs, new PriceCatalog([nano])).Savings, s => s.Lever == "batch processing");
        // at batch prices: 1,000,000 × 0.05 + 100,000 × 0.20 = 70,000 / 1e6 = 0.07; saved 0.14 − 0.07
        Assert.Equal(0.07m, saving.EstimatedSaving);
        Assert.Equal(0.5, saving.Percent);
    }

    [Fact]
    public async Task Demo_report_reconciles_and_is_deterministic()
    {
        var first = await RunDemoAsync(seed: 7);
        var second = await RunDemoAsync(seed: 7);
        Assert.Equal(ReportRenderer.Render(first, ReportFormat.Json), ReportRenderer.Render(second, ReportFormat.Json));

        // tenant costs add up to the total, and so do tiers, use cases and models
        Assert.True(first.TotalCost > 0);
        Assert.Equal(first.TotalCost, first.AllTenants.Sum(t => t.Cost));
        Assert.Equal(first.TotalCost, first.Tiers.Sum(t => t.AiCost));
        Assert.Equal(first.TotalCost, first.UseCases.Sum(u => u.Cost));
        Assert.Equal(first.TotalCost, first.Models.Sum(m => m.Cost ?? 0m));

        // the tier table agrees with the per-tenant figures: AI cost per customer per month × customers = tenants' monthly cost
        foreach (var tier in first.Tiers.Where(t => t.Customers > 0))
        {
            var tenantsMonthly = first.AllTenants.Where(t => t.Tier == tier.Tier).Sum(t => t.CostPerMonth!.Value);
            Assert.Equal(decimal.Round(tenantsMonthly, 18), decimal.Round(tier.AiCostPerCustomerPerMonth!.Value * tier.Customers, 18));
        }

        Assert.Equal(first.UseCases.Sum(u => u.Calls), first.AllTenants.Sum(t => t.Calls));
    }

    [Fact]
    public async Task Demo_report_has_cost_per_user_request_and_per_rag_query()
    {
        var settings = new DemoSettings { Days = 7, Seed = 7 };
        await using var demo = DemoEnvironment.Create(settings);
        await demo.RunAsync();
        var report = demo.Report(settings.StartUtc, settings.StartUtc.AddDays(7), "test");

        // Every simulated user request is one request of the engine, and every priced call is in one.
        Assert.Equal(demo.Simulator.Requests, report.UserRequests.Sum(r => r.Requests));
        Assert.Equal(report.TotalCost, report.UserRequests.Sum(r => r.Cost));
        // The simulator's support makes single shots and agent tasks, search RAG queries (and semantic-cache hits: other).
        var shapes = report.UserRequests.Select(r => (r.UseCase, r.Shape)).ToHashSet();
        Assert.Superset(new HashSet<(string, string)> { ("support", "single_shot"), ("support", "agent"), ("search", "rag"), ("search", "other"), ("generation", "single_shot") }, shapes);
        var rag = Assert.Single(report.RagQueries);
        Assert.Equal(("search", rag.Cost / rag.Queries), (rag.UseCase, rag.CostPerQuery));
        var text = ReportRenderer.Render(report, ReportFormat.Table);
        Assert.Contains("COST PER USER REQUEST", text, StringComparison.Ordinal);
        Assert.Contains("COST PER RAG QUERY", text, StringComparison.Ordinal);
    }

    private static async Task<UnitEconomicsReport> RunDemoAsync(int seed)
    {
        var settings = new DemoSettings { Days = 7, Seed = seed }; // 7 days: long enough for monthly figures
        await using var demo = DemoEnvironment.Create(settings);
        await demo.RunAsync();
        return demo.Report(settings.StartUtc, settings.StartUtc.AddDays(7), "test");
    }

    private static ReportInputs Inputs(int days) => new()
    {
        FromUtc = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc),
        ToUtc = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(days),
        Source = "test",
        Directory = Directory,
    };
}
