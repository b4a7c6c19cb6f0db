using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// A GenAI chat span (14 attributes) started and ended through the OpenTelemetry SDK: with one empty
/// processor (the baseline), and with the cost processor and the Prometheus sink. The difference is
/// what pricing a span costs the app; allocation shows whether warm label sets allocate.
/// </summary>
[MemoryDiagnoser]
public class ProcessorOverheadBenchmarks
{
    private static readonly string[] Tenants = ["acme", "globex", "initech", "umbrella"];
    private static readonly string[] UseCases = ["support", "search"];

    private ActivitySource source = null!;
    private TracerProvider provider = null!;
    private int i;

    [Params("empty-processor", "cost-processor")]
    public string Pipeline { get; set; } = "empty-processor";

    [GlobalSetup]
    public void Setup()
    {
        this.source = new ActivitySource("bench.genai." + this.Pipeline);
        var builder = Sdk.CreateTracerProviderBuilder().AddSource(this.source.Name);
        if (this.Pipeline == "cost-processor")
        {
            var catalog = new PriceCatalog([new ModelPrice { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.5m, CachedInput = 1.25m, Output = 10m } }]);
            builder.ConfigureServices(s =>
            {
                s.AddSingleton(new PriceCatalogSource(catalog));
                s.AddSingleton(new TenantDirectorySource(TenantDirectory.Empty));
            })
            .AddUnitEconomicsPrometheus(Metrics.NewCustomRegistry())
            .AddUnitEconomics(o => o.UseDefaultCatalog = false);
        }
        else
        {
            builder.AddProcessor(new EmptyProcessor());
        }

        this.provider = builder.Build()!;
        for (var n = 0; n < 1_000; n++)
        {
            this.GenAiSpan(); // warm every label set
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        this.provider.Dispose();
        this.source.Dispose();
    }

    [Benchmark]
    public void GenAiSpan()
    {
        var n = this.i++;
        using var activity = this.source.StartActivity("chat gpt-4o", ActivityKind.Client);
        if (activity is null)
        {
            return;
        }

        activity.SetTag("gen_ai.operation.name", "chat");
        activity.SetTag("gen_ai.provider.name", "openai");
        activity.SetTag("gen_ai.request.model", "gpt-4o");
        activity.SetTag("gen_ai.response.model", "gpt-4o");
        activity.SetTag("gen_ai.request.max_tokens", 1024);
        activity.SetTag("gen_ai.request.temperature", 0.2);
        activity.SetTag("gen_ai.response.id", "chatcmpl-123");
        activity.SetTag("gen_ai.usage.input_tokens", 1200);
        activity.SetTag("gen_ai.usage.output_tokens", 300);
        activity.SetTag("gen_ai.usage.cache_read.input_tokens", 1000);
        activity.SetTag("server.address", "api.openai.com");
        activity.SetTag("server.port", 443);
        activity.SetTag("tenant.id", Tenants[n & 3]);
        activity.SetTag("ai.use_case", UseCases[(n >> 2) & 1]);
    }

    private sealed class EmptyProcessor : BaseProcessor<Activity>
    {
    }
}
