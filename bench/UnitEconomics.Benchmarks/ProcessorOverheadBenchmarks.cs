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
using UnitEconomics.Otel.Sources;

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

    /// <summary>
    /// cost-processor hands each span to the pricing thread (the default); cost-processor-inline prices
    /// it on the ending thread, as <c>InlinePricing</c> does; engine-only is the latter without a sink.
    /// </summary>
    [Params("empty-processor", "cost-processor", "cost-processor-inline", "floor-processor")]
    public string Pipeline { get; set; } = "empty-processor";

    [GlobalSetup]
    public void Setup()
    {
        this.source = new ActivitySource("bench.genai." + this.Pipeline);
        var builder = Sdk.CreateTracerProviderBuilder().AddSource(this.source.Name);
        if (this.Pipeline is "cost-processor" or "cost-processor-inline" or "engine-only")
        {
            var catalog = new PriceCatalog([new ModelPrice { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.5m, CachedInput = 1.25m, Output = 10m } }]);
            builder.ConfigureServices(s =>
            {
                s.AddSingleton(new PriceCatalogSource(catalog));
                s.AddSingleton(new TenantDirectorySource(TenantDirectory.Empty));
            });
            if (this.Pipeline != "engine-only")
            {
                builder.AddUnitEconomicsPrometheus(Metrics.NewCustomRegistry());
            }

            builder.AddUnitEconomics(o =>
            {
                o.UseDefaultCatalog = false;
                o.InlinePricing = this.Pipeline != "cost-processor";
            });
        }
        else if (this.Pipeline == "floor-processor")
        {
            builder.AddProcessor(new FloorProcessor(Metrics.NewCustomRegistry()));
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

        this.provider.ForceFlush(); // and price them: the pricing thread's label sets are warm too
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

    /// <summary>
    /// A lower bound, not a product: the least a processor must do to keep these metrics per span —
    /// walk the tags once, read the three token counts, do the seven integer adds and the two
    /// histogram observations the cost processor does — with no key table, no price lookup, no tenant
    /// or label-set lookup, a constant price and one fixed series. What the cost processor spends above
    /// this is the price of reading any span, any catalog and any tenant.
    /// </summary>
    private sealed class FloorProcessor : BaseProcessor<Activity>
    {
        private readonly Histogram.Child requestCost;
        private readonly Histogram.Child singleShotCost;
        private long cost;
        private long requests;
        private long input;
        private long cached;
        private long output;
        private long tenantCost;
        private long tenantRequests;

        public FloorProcessor(CollectorRegistry registry)
        {
            var factory = Metrics.WithCustomRegistry(registry);
            factory.ExemplarBehavior = new ExemplarBehavior { DefaultExemplarProvider = static (_, _) => Exemplar.None }; // as the sink does
            this.requestCost = factory.CreateHistogram("floor_request_cost_usd", "h", new HistogramConfiguration { LabelNames = ["use_case"], Buckets = PrometheusCostSink.MoneyBuckets }).WithLabels("support");
            this.singleShotCost = factory.CreateHistogram("floor_single_shot_cost_usd", "h", new HistogramConfiguration { LabelNames = ["use_case"], Buckets = PrometheusCostSink.MoneyBuckets }).WithLabels("support");
        }

        public override void OnEnd(Activity data)
        {
            long inputTokens = 0, cachedTokens = 0, outputTokens = 0;
            foreach (ref readonly var tag in data.EnumerateTagObjects())
            {
                if (ReferenceEquals(tag.Key, "gen_ai.usage.input_tokens"))
                {
                    inputTokens = (int)tag.Value!;
                }
                else if (ReferenceEquals(tag.Key, "gen_ai.usage.output_tokens"))
                {
                    outputTokens = (int)tag.Value!;
                }
                else if (ReferenceEquals(tag.Key, "gen_ai.usage.cache_read.input_tokens"))
                {
                    cachedTokens = (int)tag.Value!;
                }
            }

            // gpt-4o: 2.50 / 1.25 / 10.00 USD per million tokens, in pico-USD per token.
            var pico = ((inputTokens - cachedTokens) * 2_500_000) + (cachedTokens * 1_250_000) + (outputTokens * 10_000_000);
            var usd = pico / 1e12;
            Interlocked.Add(ref this.cost, pico);
            Interlocked.Increment(ref this.requests);
            Interlocked.Add(ref this.input, inputTokens - cachedTokens);
            Interlocked.Add(ref this.cached, cachedTokens);
            Interlocked.Add(ref this.output, outputTokens);
            Interlocked.Add(ref this.tenantCost, pico);
            Interlocked.Increment(ref this.tenantRequests);
            this.requestCost.Observe(usd);
            this.singleShotCost.Observe(usd);
        }
    }
}
