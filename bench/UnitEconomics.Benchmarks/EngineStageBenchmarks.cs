using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Prometheus;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.Otel.Budgets;

namespace UnitEconomics.Benchmarks;

/// <summary>Each stage of pricing one ended GenAI span, to see where the processor's time goes.</summary>
[MemoryDiagnoser]
public class EngineStageBenchmarks
{
    private readonly SpanNormalizer normalizer = new();
    private Activity span = null!;
    private PriceCatalog catalog = null!;
    private CostEngine bare = null!;
    private CostEngine withPrometheus = null!;
    private GenAiCall call;
    private ModelPrice price = null!;
    private PrometheusCostSink sink = null!;
    private CostBreakdown recordCost;
    private Histogram.Child histogram = null!;
    private CallLabelSet labels = null!;
    private TenantLabelSet tenantLabels = null!;

    [GlobalSetup]
    public void Setup()
    {
        this.span = new Activity("chat gpt-4o");
        foreach (var (k, v) in new (string, object)[]
        {
            ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.response.model", "gpt-4o"),
            ("gen_ai.request.max_tokens", 1024), ("gen_ai.request.temperature", 0.2), ("gen_ai.response.id", "chatcmpl-123"),
            ("gen_ai.usage.input_tokens", 1200), ("gen_ai.usage.output_tokens", 300), ("gen_ai.usage.cache_read.input_tokens", 1000),
            ("server.address", "api.openai.com"), ("server.port", 443), ("tenant.id", "acme"), ("ai.use_case", "support"),
        })
        {
            this.span.SetTag(k, v);
        }

        this.span.Start();
        this.span.Stop();
        this.catalog = PriceCatalog.LoadDefault();
        var options = new UnitEconomicsOptions();
        this.bare = new CostEngine(options, () => this.catalog, () => TenantDirectory.Empty, [new NullSink()]);
        this.withPrometheus = new CostEngine(options, () => this.catalog, () => TenantDirectory.Empty, [new PrometheusCostSink(Metrics.NewCustomRegistry())]);
        this.normalizer.Normalize(new ActivitySpanView(this.span), out this.call, out _);
        this.catalog.TryResolve("openai", "gpt-4o", DateTimeOffset.UtcNow, out var p);
        this.price = p!;
        var registry = Metrics.NewCustomRegistry();
        this.sink = new PrometheusCostSink(registry);
        this.recordCost = CostCalculator.Calculate(this.call, this.price);
        this.labels = new CallLabelSet(this.call.Provider, this.call.Model, this.call.Operation, this.call.UseCase, TenantDirectory.UnknownTier, this.call.Cache);
        this.tenantLabels = new TenantLabelSet("acme", TenantDirectory.UnknownTier);
        this.histogram = Metrics.WithCustomRegistry(registry).CreateHistogram("bench_seconds", "h", new HistogramConfiguration { LabelNames = ["a"], Buckets = PrometheusCostSink.MoneyBuckets }).WithLabels("x");
        this.EngineWithPrometheusSink();
    }

    [Benchmark]
    public NormalizeResult Normalize() => this.normalizer.Normalize(new ActivitySpanView(this.span), out _, out _);

    [Benchmark]
    public int WalkTags()
    {
        var n = 0;
        foreach (ref readonly var tag in this.span.EnumerateTagObjects())
        {
            n += tag.Key.Length + (tag.Value is null ? 0 : 1);
        }

        return n;
    }

    [Benchmark]
    public int WalkAndClassify()
    {
        var n = 0;
        foreach (ref readonly var tag in this.span.EnumerateTagObjects())
        {
            n += this.normalizer.ReadsKey(tag.Key) ? 1 : 0;
        }

        return n;
    }

    [Benchmark]
    public bool ResolvePrice() => this.catalog.TryResolve("openai", "gpt-4o", this.call.EndTimeUtc, out _);

    [Benchmark]
    public CostBreakdown Calculate() => CostCalculator.Calculate(this.call, this.price);

    [Benchmark]
    public void PrometheusSinkOnCall() => this.sink.OnCall(new CallCost(in this.call, in this.recordCost, this.labels, this.tenantLabels, true));

    [Benchmark]
    public void HistogramObserve() => this.histogram.Observe(0.00475);

    [Benchmark]
    public void EngineWithNullSink() => this.bare.OnEnded(this.span);

    [Benchmark]
    public void EngineWithPrometheusSink() => this.withPrometheus.OnEnded(this.span);

    private sealed class NullSink : ICostSink
    {
        public void OnCall(in CallCost call)
        {
        }

        public void OnUnpriced(in GenAiCall call)
        {
        }

        public void OnAgentTask(in AgentTaskSummary task)
        {
        }

        public void OnBudgetExceeded(in BudgetExceeded exceeded)
        {
        }

        public void OnRejected(RejectReason reason)
        {
        }

        public void OnTenantOverflow()
        {
        }
    }
}
