using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Tests.Support;
using UnitEconomics.Otel.Pricing;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

/// <summary>
/// The report from a real Prometheus that scraped <c>ue demo --serve</c> matches the in-process report
/// of the same process for the same window.
/// </summary>
public sealed class PrometheusReportTests
{
    [SkippableFact]
    public async Task Report_from_prometheus_matches_the_in_process_report()
    {
        var from = DateTime.UtcNow.AddMinutes(-1);
        await using var demo = await ScrapedDemo.StartAsync(seed: 3, requests: 600);
        var (fromProcess, to) = await demo.SettleAsync(from);
        using var source = new PrometheusReportSource(demo.Prometheus.Url);
        var fromPrometheus = ReportBuilder.Build(await source.LoadAsync(from, to, directory: null), PriceCatalog.LoadDefault());

        Assert.True(fromProcess.TotalCost > 0);
        Close(fromProcess.TotalCost, fromPrometheus.TotalCost);
        Assert.Equal(fromProcess.Tiers.Select(t => (t.Tier, t.Customers)), fromPrometheus.Tiers.Select(t => (t.Tier, t.Customers)));
        foreach (var (a, b) in fromProcess.Tiers.Zip(fromPrometheus.Tiers))
        {
            Close(a.AiCost, b.AiCost);
            Close(a.CostPerCustomerPerMonth, b.CostPerCustomerPerMonth);
            Close(a.RevenuePerCustomerPerMonth, b.RevenuePerCustomerPerMonth);
            Close(a.MarginPerCustomerPerMonth, b.MarginPerCustomerPerMonth);
        }

        Assert.Equal(fromProcess.UseCases.Select(u => (u.UseCase, u.Calls, u.CacheLookups, u.CacheHits)), fromPrometheus.UseCases.Select(u => (u.UseCase, u.Calls, u.CacheLookups, u.CacheHits)));
        foreach (var (a, b) in fromProcess.UseCases.Zip(fromPrometheus.UseCases))
        {
            Close(a.Cost, b.Cost);
        }

        Assert.Equal(fromProcess.Models.Select(m => (m.Model, m.Calls, m.UnpricedCalls, m.UncachedInputTokens, m.CacheReadTokens, m.OutputTokens)),
            fromPrometheus.Models.Select(m => (m.Model, m.Calls, m.UnpricedCalls, m.UncachedInputTokens, m.CacheReadTokens, m.OutputTokens)));
        Assert.Equal(fromProcess.AllTenants.Select(t => (t.Tenant, t.Tier, t.Calls)).Order(), fromPrometheus.AllTenants.Select(t => (t.Tenant, t.Tier, t.Calls)).Order());
        Assert.Equal(fromProcess.Agents.Select(a => (a.UseCase, a.Tasks, a.SingleShots)), fromPrometheus.Agents.Select(a => (a.UseCase, a.Tasks, a.SingleShots)));
        foreach (var (a, b) in fromProcess.Agents.Zip(fromPrometheus.Agents))
        {
            Close(a.MeanTaskCost, b.MeanTaskCost);
            Assert.Equal(a.Multiplier!.Value, b.Multiplier!.Value, 9);
        }

        // Cost per user request and per RAG query: the rollup's requests and Prometheus' _count/_sum of ai_user_request_cost_usd.
        Assert.Contains(fromProcess.UserRequests, r => r.Shape == "rag");
        Assert.Equal(fromProcess.UserRequests.Select(r => (r.UseCase, r.Shape, r.Requests)), fromPrometheus.UserRequests.Select(r => (r.UseCase, r.Shape, r.Requests)));
        foreach (var (a, b) in fromProcess.UserRequests.Zip(fromPrometheus.UserRequests))
        {
            Close(a.Cost, b.Cost);
            Close(a.CostPerRequest, b.CostPerRequest);
        }

        Assert.Equal(fromProcess.RagQueries.Select(q => (q.UseCase, q.Queries)), fromPrometheus.RagQueries.Select(q => (q.UseCase, q.Queries)));
        Close(fromProcess.RagQueries.Single().CostPerQuery, fromPrometheus.RagQueries.Single().CostPerQuery);

        Assert.Equal(fromProcess.RedFlags.Select(f => (f.Alert, f.Subject)), fromPrometheus.RedFlags.Select(f => (f.Alert, f.Subject)));
        // Routing needs each call's size (the routing rule), which only the in-process rollup sees.
        Assert.Equal(fromProcess.Savings.Where(s => s.Lever != "model routing").Select(s => (s.Lever, s.UseCase)), fromPrometheus.Savings.Select(s => (s.Lever, s.UseCase)));
        Assert.DoesNotContain(fromPrometheus.Savings, s => s.Lever == "model routing");
    }

    /// <summary>Equal within rounding: Prometheus sums doubles where the rollup sums decimals.</summary>
    private static void Close(decimal? expected, decimal? actual) =>
        Assert.True(expected is null ? actual is null : actual is not null && Math.Abs(expected.Value - actual.Value) <= 1e-9m * Math.Max(1m, Math.Abs(expected.Value)), $"expected {expected}, got {actual}");
}
