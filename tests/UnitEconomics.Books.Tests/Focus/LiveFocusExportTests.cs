using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using UnitEconomics.Books.Focus;
using UnitEconomics.Books.Focus.Check;
using UnitEconomics.Books.Focus.Export;
using UnitEconomics.Books.Focus.Files;
using UnitEconomics.Cli.Focus;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>
/// Known spans, sent by the OpenTelemetry SDK's OTLP exporter to the real service, scraped by a real
/// Prometheus, exported with <c>ue export focus</c>: the rows hold the costs computed here by hand.
/// </summary>
public sealed class LiveFocusExportTests : IDisposable
{
    private const string SourceName = "test.focus.live";
    private readonly string folder = Directory.CreateTempSubdirectory("focus-live-").FullName;

    [SkippableFact]
    public async Task Live_export_from_prometheus_holds_the_hand_computed_costs_per_tenant_and_model()
    {
        File.WriteAllText(Path.Combine(this.folder, "prices.yaml"), """
            models:
              model-a:
                provider: example
                input: 2
                output: 8
              model-b:
                provider: example
                input: 1
                output: 4
            """);
        File.WriteAllText(Path.Combine(this.folder, "tenants.yaml"), """
            tiers:
              pro: { revenue_per_customer_per_month: 29 }
              enterprise: { revenue_per_customer_per_month: 500 }
            tenants:
              acme: { tier: pro }
              initech: { tier: pro }
              globex: { tier: enterprise }
            """);
        var from = DateTime.UtcNow.AddMinutes(-1);
        await using var service = await RunningService.StartAsync(Path.Combine(this.folder, "prices.yaml"), Path.Combine(this.folder, "tenants.yaml"));
        await using var prometheus = await PrometheusServer.StartNewAsync($"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: exporter
                static_configs:
                  - targets: ["127.0.0.1:{service.MetricsPort}"]
            """);
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("focus-test-app"))
            .AddSource(SourceName)
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = new Uri($"http://127.0.0.1:{service.HttpPort}/v1/traces");
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build()!)
        using (var source = new ActivitySource(SourceName))
        {
            Chat(source, "acme", "support", "model-a", input: 1_000, output: 200);   // 1,000 × 2 + 200 × 8 = 3,600 per million: 0.0036
            Chat(source, "initech", "support", "model-a", input: 2_000, output: 0);  // 2,000 × 2 = 0.004
            Chat(source, "globex", "search", "model-b", input: 500, output: 100);    // 500 × 1 + 100 × 4 = 0.0009
            Chat(source, "globex", "search", "model-b", input: 1_500, output: 300);  // 1,500 + 1,200 = 0.0027
            Assert.True(tracing.ForceFlush(10_000));
        }

        using var reader = new PrometheusReportSource(prometheus.Url);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((await reader.QueryAsync("sum(ai_requests_total)", DateTime.UtcNow)) is not [{ Value: 4 }])
        {
            Assert.True(DateTime.UtcNow < deadline, "Prometheus never scraped the 4 calls:\n" + prometheus.Output);
            await Task.Delay(250);
        }

        var to = DateTime.UtcNow;
        var file = Path.Combine(this.folder, "live.parquet");
        var stdout = new StringWriter();
        await FocusExportCommand.ExportAsync(new FocusExportSettings { Prometheus = prometheus.Url, FromUtc = from, ToUtc = to, OutFile = file, Format = FocusFileFormat.Parquet }, stdout, default);
        var table = await FocusFileReader.ReadAsync(file);
        FocusConformance.Check(table);

        // Rows by (model, use case, tier, tenant), summed over days (the window may cross a midnight).
        var rows = Enumerable.Range(0, table.Rows.Count)
            .GroupBy(r => (table.Text(r, FocusSpec.SkuId), table.Text(r, FocusAiExport.XUseCase), table.Text(r, FocusAiExport.XTier), table.Text(r, FocusAiExport.XTenant)))
            .ToDictionary(g => g.Key, g => (
                Cost: g.Sum(r => table.Decimal(r, FocusSpec.BilledCost)!.Value),
                Tokens: g.Sum(r => table.Decimal(r, FocusSpec.ConsumedQuantity)!.Value),
                Calls: g.Sum(r => table.Decimal(r, FocusAiExport.XRequests)!.Value)));

        // pro has two tenants that day: the metrics cannot tell which of them used model-a, so no tenant is named.
        // enterprise has one: globex, named. 0.0036 + 0.004 = 0.0076; 0.0009 + 0.0027 = 0.0036.
        Assert.Equal(2, rows.Count);
        Assert.Equal((0.0076m, 3_200m, 2m), rows[("example/model-a", "support", "pro", null)]);
        Assert.Equal((0.0036m, 2_400m, 2m), rows[("example/model-b", "search", "enterprise", "globex")]);

        // The sum of BilledCost is the counters' change over the window: 0.0076 + 0.0036.
        Assert.Equal(0.0112m, rows.Values.Sum(r => r.Cost));
        Assert.Contains("BilledCost 0.0112 USD", stdout.ToString(), StringComparison.Ordinal);
        Assert.All(Enumerable.Range(0, table.Rows.Count), r => Assert.Null(table.Text(r, FocusAiExport.XCostSource)));
    }

    private static void Chat(ActivitySource source, string tenant, string useCase, string model, long input, long output)
    {
        using var span = source.StartActivity("chat " + model, ActivityKind.Client)!;
        span.SetTag("gen_ai.operation.name", "chat");
        span.SetTag("gen_ai.provider.name", "example");
        span.SetTag("gen_ai.request.model", model);
        span.SetTag("gen_ai.usage.input_tokens", input);
        span.SetTag("gen_ai.usage.output_tokens", output);
        span.SetTag("tenant.id", tenant);
        span.SetTag("ai.use_case", useCase);
    }

    public void Dispose() => Directory.Delete(this.folder, recursive: true);
}
