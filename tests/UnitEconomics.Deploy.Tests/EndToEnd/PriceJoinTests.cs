using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// Cost series carry the billed model name (gpt-4o-2024-08-06), the catalog entry is gpt-4o: the price
/// gauges carry the billed name too, so tokens × price joins on (provider, model) in a real Prometheus.
/// </summary>
public sealed class PriceJoinTests
{
    private static readonly PriceCatalog Catalog = new(
    [
        new ModelPrice { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.50m, Output = 10m } },
        new ModelPrice { Id = "rerank-v3.5", Provider = "cohere", Standard = new PriceSet { PerCall = 0.002m } },
    ]);

    [SkippableFact]
    public async Task Tokens_times_price_joins_on_the_billed_model_name()
    {
        var registry = Metrics.NewCustomRegistry();
        var sink = new PrometheusCostSink(registry);
        sink.PublishPrices(Catalog, DateTimeOffset.UtcNow);
        var engine = new CostEngine(new UnitEconomicsOptions { InlinePricing = true }, () => Catalog, () => TenantDirectory.Empty, [sink]);
        using var source = new ActivitySource("price-join-" + Guid.NewGuid().ToString("N"));
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(source.Name).AddUnitEconomics(engine).Build()!)
        {
            using (var chat = source.StartActivity("chat")!)
            {
                chat.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.provider.name", "openai")
                    .SetTag("gen_ai.request.model", "gpt-4o").SetTag("gen_ai.response.model", "gpt-4o-2024-08-06")
                    .SetTag("gen_ai.usage.input_tokens", 1_000L).SetTag("gen_ai.usage.output_tokens", 100L);
            }

            tracing.ForceFlush();
        }

        var port = ExternalBinary.FreePort();
        using var server = new MetricServer("127.0.0.1", port, "metrics/", registry);
        server.Start();
        await using var prometheus = await PrometheusServer.StartNewAsync($"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: app
                static_configs:
                  - targets: ["127.0.0.1:{port}"]
            """);

        // input tokens × the input price of the entry the billed name resolves to: 1,000 × 2.50 / 1e6 = 0.0025
        const string Join = """
            sum by (provider, model) (ai_tokens_total{token_type="input"})
            * on (provider, model) group_left ai_model_price_usd_per_million_tokens{token_type="input"} / 1e6
            """;
        System.Text.Json.JsonElement result = default;
        await Poll.UntilAsync(
            async () => (result = await prometheus.QueryAsync(Join)).GetArrayLength() > 0,
            TimeSpan.FromSeconds(60),
            () => "the join never returned a series:\n" + prometheus.Output);

        var row = Assert.Single(result.EnumerateArray());
        Assert.Equal("gpt-4o-2024-08-06", row.GetProperty("metric").GetProperty("model").GetString());
        Assert.Equal(0.0025, PrometheusStack.Value(row), 12);

        // The entry keeps its own series, and a per-call price has its own gauge in USD per call.
        var byId = await prometheus.QueryAsync("ai_model_price_usd_per_million_tokens{model=\"gpt-4o\",token_type=\"output\"}");
        Assert.Equal(10, PrometheusStack.Value(Assert.Single(byId.EnumerateArray())));
        var perCall = await prometheus.QueryAsync("ai_model_price_usd_per_call{model=\"rerank-v3.5\"}");
        Assert.Equal(0.002, PrometheusStack.Value(Assert.Single(perCall.EnumerateArray())), 12);
    }
}
