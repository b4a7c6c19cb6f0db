using System.Globalization;
using System.Text.Json;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests;

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
        var port = ExternalBinary.FreePort();
        await using var demo = ManagedProcess.Start("dotnet", [RepoPaths.UeAssembly, "demo", "--serve", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--rate", "200", "--stop-after", "600", "--seed", "3"]);
        await demo.WaitForHttpAsync($"http://127.0.0.1:{port}/healthz", TimeSpan.FromMinutes(2));

        await using var prometheus = await PrometheusServer.StartNewAsync($"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: demo
                static_configs:
                  - targets: ["127.0.0.1:{port}"]
            """);

        using var http = new HttpClient();
        var inProcessRequests = await WaitForTrafficToStopAsync(http, port);

        // Wait until Prometheus has scraped the final counters.
        using var source = new PrometheusReportSource(prometheus.Url);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var scraped = await source.QueryAsync("sum(ai_tenant_requests_total)", DateTime.UtcNow);
            if (scraped.Count == 1 && (long)scraped[0].Value == inProcessRequests)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Prometheus never scraped {inProcessRequests} requests:\n{prometheus.Output}");
            await Task.Delay(250);
        }

        var to = DateTime.UtcNow;
        var fromProcess = ReportRenderer.FromJson(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/report?from={from:O}&to={to:O}")))!;
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

        Assert.Equal(fromProcess.RedFlags.Select(f => (f.Alert, f.Subject)), fromPrometheus.RedFlags.Select(f => (f.Alert, f.Subject)));
        // Routing needs each call's size (the routing rule), which only the in-process rollup sees.
        Assert.Equal(fromProcess.Savings.Where(s => s.Lever != "model routing").Select(s => (s.Lever, s.UseCase)), fromPrometheus.Savings.Select(s => (s.Lever, s.UseCase)));
        Assert.DoesNotContain(fromPrometheus.Savings, s => s.Lever == "model routing");
    }

    /// <summary>Equal within rounding: Prometheus sums doubles where the rollup sums decimals.</summary>
    private static void Close(decimal? expected, decimal? actual) =>
        Assert.True(expected is null ? actual is null : actual is not null && Math.Abs(expected.Value - actual.Value) <= 1e-9m * Math.Max(1m, Math.Abs(expected.Value)), $"expected {expected}, got {actual}");

    private static async Task<long> WaitForTrafficToStopAsync(HttpClient http, int port)
    {
        long last = -1;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(1500);
            using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/report")));
            var requests = doc.RootElement.GetProperty("all_tenants").EnumerateArray().Sum(t => t.GetProperty("calls").GetInt64());
            if (requests > 0 && requests == last)
            {
                return requests;
            }

            last = requests;
        }

        throw new TimeoutException("the demo's traffic did not stop");
    }
}
