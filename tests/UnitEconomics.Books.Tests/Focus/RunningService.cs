using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Hosting;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>The real service on loopback and free ports, with a fresh metrics registry, pricing with the given catalog and tenant file.</summary>
internal sealed record RunningService(WebApplication App, int HttpPort, int MetricsPort) : IAsyncDisposable
{
    public Uri MetricsUri => new($"http://127.0.0.1:{this.MetricsPort}/metrics");

    public static async Task<RunningService> StartAsync(string pricesFile, string tenantFile)
    {
        for (var attempt = 1; ; attempt++)
        {
            int grpc = ExternalBinary.FreePort(), http = ExternalBinary.FreePort(), metrics = ExternalBinary.FreePort();
            var app = ExporterHost.Build(
                [
                    "--Exporter:ListenAddress=127.0.0.1", $"--Exporter:OtlpGrpcPort={grpc}", $"--Exporter:OtlpHttpPort={http}",
                    $"--Exporter:MetricsPort={metrics}", "--Logging:LogLevel:Default=Warning", "--UnitEconomics:UseDefaultCatalog=false",
                    "--UnitEconomics:PriceCatalogs:0=" + pricesFile, "--UnitEconomics:TenantFile=" + tenantFile,
                ],
                s => s.AddSingleton(new ExporterMetrics(Prometheus.Metrics.NewCustomRegistry())));
            try
            {
                await app.StartAsync();
                return new RunningService(app, http, metrics);
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync(); // a port taken between the probe and the bind: try fresh ones
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await this.App.StopAsync();
        await this.App.DisposeAsync();
    }
}
