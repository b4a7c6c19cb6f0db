using System.Globalization;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests.Support;

/// <summary>
/// <c>ue demo --serve</c> sending a fixed number of user requests, scraped every second by a real
/// Prometheus; <see cref="SettleAsync"/> waits until the traffic stopped and Prometheus holds the final
/// counters, and returns the demo's own in-process report of it.
/// </summary>
internal sealed class ScrapedDemo : IAsyncDisposable
{
    private readonly ManagedProcess demo;

    private ScrapedDemo(ManagedProcess demo, PrometheusServer prometheus, int port)
    {
        this.demo = demo;
        this.Prometheus = prometheus;
        this.Port = port;
    }

    public PrometheusServer Prometheus { get; }

    public int Port { get; }

    public static async Task<ScrapedDemo> StartAsync(int seed, int requests)
    {
        var port = ExternalBinary.FreePort();
        var demo = ManagedProcess.Start("dotnet", [RepoPaths.UeAssembly, "demo", "--serve", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--rate", "200", "--stop-after", requests.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture)]);
        try
        {
            await demo.WaitForHttpAsync($"http://127.0.0.1:{port}/healthz", TimeSpan.FromMinutes(2));
            var prometheus = await PrometheusServer.StartNewAsync($"""
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: demo
                    static_configs:
                      - targets: ["127.0.0.1:{port}"]
                """);
            return new ScrapedDemo(demo, prometheus, port);
        }
        catch
        {
            await demo.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Once the demo's calls stopped growing and Prometheus scraped them all: the demo's report from
    /// <paramref name="fromUtc"/> (else since it started) to now, and that now.
    /// </summary>
    public async Task<(UnitEconomicsReport Report, DateTime ToUtc)> SettleAsync(DateTime? fromUtc = null)
    {
        using var http = new HttpClient();
        long calls = -1;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the demo's traffic did not stop");
            await Task.Delay(1500);
            var now = ReportRenderer.FromJson(await http.GetStringAsync(new Uri($"http://127.0.0.1:{this.Port}/report")))!;
            var total = now.AllTenants.Sum(t => t.Calls);
            if (total > 0 && total == calls)
            {
                break;
            }

            calls = total;
        }

        using var source = new PrometheusReportSource(this.Prometheus.Url);
        deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await source.QueryAsync("sum(ai_tenant_requests_total)", DateTime.UtcNow)) is var scraped && (scraped.Count != 1 || (long)scraped[0].Value != calls))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus never scraped {calls} calls:\n{this.Prometheus.Output}");
            await Task.Delay(250);
        }

        var to = DateTime.UtcNow;
        var query = fromUtc is { } from ? $"?from={from:O}&to={to:O}" : string.Empty;
        return (ReportRenderer.FromJson(await http.GetStringAsync(new Uri($"http://127.0.0.1:{this.Port}/report{query}")))!, to);
    }

    public async ValueTask DisposeAsync()
    {
        await this.Prometheus.DisposeAsync();
        await this.demo.DisposeAsync();
    }
}
