using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Otel.Prometheus.Tests;

[Collection("activity-listeners")]
public sealed class PrometheusSinkTests
{
    private const double Tolerance = 1e-12; // sums of doubles; the decimal values are asserted exactly in the engine tests

    private static readonly ModelPrice Gpt4o = new() { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10.00m } };

    private static readonly ModelPrice Haiku = new() { Id = "claude-3-5-haiku", Provider = "anthropic", Standard = new PriceSet { Input = 0.80m, CachedInput = 0.08m, CacheWrite = 1.00m, Output = 4.00m } };

    private static readonly TenantDirectory Tenants = new(
        [new TierInfo("free", 0m, true, 100m), new TierInfo("pro", 29m, false, 400m), new TierInfo("enterprise", 500m, false, 2_000m)],
        [new TenantInfo("acme", "pro", 29m, 120), new TenantInfo("globex", "enterprise", 450m, 900)]);

    [Fact]
    public async Task User_requests_land_in_the_series_of_their_label_values_whatever_the_string_instances()
    {
        // 600 (use case, tier) pairs, more than the sink's identity cache has slots, so they collide; the
        // middle round sends every label value as a fresh string instance. Request i costs (i + 1) / 1000 USD.
        var registry = Metrics.NewCustomRegistry();
        var sink = new PrometheusCostSink(registry);
        var useCases = Enumerable.Range(0, 600).Select(i => $"uc-{i}").ToArray();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < useCases.Length; i++)
            {
                var (useCase, tier) = round == 1 ? ($"uc-{i}", string.Concat("p", "ro")) : (useCases[i], "pro");
                sink.OnUserRequest(new UserRequestSummary(default, default, "acme", tier, useCase, RequestShape.SingleShot, (i + 1) / 1000m, 1, 1, 0, DateTime.UnixEpoch, DateTime.UnixEpoch, false));
            }
        }

        var s = await Scrape.OfAsync(registry);
        Assert.Equal(600, s.Family("ai_user_request_cost_usd_count").Count());
        foreach (var i in new[] { 0, 255, 256, 599 })
        {
            var labels = $"{{use_case=\"uc-{i}\",tier=\"pro\",shape=\"single_shot\"}}";
            Assert.Equal(3, s["ai_user_request_cost_usd_count" + labels]);
            Assert.Equal(3 * (i + 1) / 1000.0, s["ai_user_request_cost_usd_sum" + labels], Tolerance);
        }
    }

    [Fact]
    public async Task Scripted_workload_scrapes_to_the_contract()
    {
        var registry = Metrics.NewCustomRegistry();
        using (var tracing = Build(registry, out var sink))
        {
            Call("acme", "support", "openai", "gpt-4o", input: 1000, output: 200);
            Call("acme", "search", "anthropic", "claude-3-5-haiku", input: 2000, output: 100, cacheRead: 500);
            Call("globex", "support", "openai", "gpt-4o", input: 4000, output: 1000);
            Call("globex", "search", "openai", "gpt-4o", cacheHit: true);
            Call("globex", "search", "anthropic", "claude-3-5-haiku", input: 1000, output: 500);
            sink.PublishTenants(Tenants);
            sink.PublishPrices(new PriceCatalog([Gpt4o, Haiku]), DateTimeOffset.UtcNow);
        }

        var s = await Scrape.OfAsync(registry);

        // 1,000 × 2.5 + 200 × 10 = 4,500 / 1e6
        Assert.Equal(0.0045, s["ai_cost_usd_total{provider=\"openai\",model=\"gpt-4o\",operation=\"chat\",use_case=\"support\",tier=\"pro\"}"], Tolerance);
        // 1,500 × 0.80 + 500 × 0.08 + 100 × 4 = 1,640 / 1e6
        Assert.Equal(0.00164, s["ai_cost_usd_total{provider=\"anthropic\",model=\"claude-3-5-haiku\",operation=\"chat\",use_case=\"search\",tier=\"pro\"}"], Tolerance);
        // 4,000 × 2.5 + 1,000 × 10 = 20,000 / 1e6
        Assert.Equal(0.02, s["ai_cost_usd_total{provider=\"openai\",model=\"gpt-4o\",operation=\"chat\",use_case=\"support\",tier=\"enterprise\"}"], Tolerance);
        Assert.Equal(0.0, s["ai_cost_usd_total{provider=\"openai\",model=\"gpt-4o\",operation=\"chat\",use_case=\"search\",tier=\"enterprise\"}"]);
        // 1,000 × 0.80 + 500 × 4 = 2,800 / 1e6
        Assert.Equal(0.0028, s["ai_cost_usd_total{provider=\"anthropic\",model=\"claude-3-5-haiku\",operation=\"chat\",use_case=\"search\",tier=\"enterprise\"}"], Tolerance);
        Assert.Equal(5, s.Family("ai_cost_usd_total").Count());

        Assert.Equal(0.00614, s["ai_tenant_cost_usd_total{tenant=\"acme\",tier=\"pro\"}"], Tolerance);      // 0.0045 + 0.00164
        Assert.Equal(0.0228, s["ai_tenant_cost_usd_total{tenant=\"globex\",tier=\"enterprise\"}"], Tolerance); // 0.02 + 0 + 0.0028
        Assert.Equal(2, s["ai_tenant_requests_total{tenant=\"acme\",tier=\"pro\"}"]);
        Assert.Equal(3, s["ai_tenant_requests_total{tenant=\"globex\",tier=\"enterprise\"}"]);

        Assert.Equal(1, s["ai_requests_total{provider=\"openai\",model=\"gpt-4o\",operation=\"chat\",use_case=\"search\",tier=\"enterprise\",cache=\"hit\"}"]);
        Assert.Equal(1, s["ai_requests_total{provider=\"openai\",model=\"gpt-4o\",operation=\"chat\",use_case=\"support\",tier=\"enterprise\",cache=\"none\"}"]);

        Assert.Equal(1500, s["ai_tokens_total{provider=\"anthropic\",model=\"claude-3-5-haiku\",use_case=\"search\",tier=\"pro\",token_type=\"input\"}"]);
        Assert.Equal(500, s["ai_tokens_total{provider=\"anthropic\",model=\"claude-3-5-haiku\",use_case=\"search\",tier=\"pro\",token_type=\"cache_read\"}"]);
        Assert.Equal(100, s["ai_tokens_total{provider=\"anthropic\",model=\"claude-3-5-haiku\",use_case=\"search\",tier=\"pro\",token_type=\"output\"}"]);
        Assert.Equal(0, s["ai_tokens_total{provider=\"anthropic\",model=\"claude-3-5-haiku\",use_case=\"search\",tier=\"pro\",token_type=\"reasoning\"}"]);

        Assert.Equal(1, s["ai_request_cost_usd_count{operation=\"chat\",use_case=\"support\",tier=\"pro\"}"]);
        Assert.Equal(0.0045, s["ai_request_cost_usd_sum{operation=\"chat\",use_case=\"support\",tier=\"pro\"}"], Tolerance);
        Assert.Equal(1, s["ai_request_cost_usd_bucket{operation=\"chat\",use_case=\"support\",tier=\"pro\",le=\"0.005\"}"]);
        Assert.Equal(0, s["ai_request_cost_usd_bucket{operation=\"chat\",use_case=\"support\",tier=\"pro\",le=\"0.0025\"}"]);

        // every priced completion outside a task is single-shot; the cache hit is not a completion
        Assert.Equal(2, s["ai_single_shot_cost_usd_count{use_case=\"search\",tier=\"enterprise\"}"] + s["ai_single_shot_cost_usd_count{use_case=\"search\",tier=\"pro\"}"]);
        Assert.Equal(0.0028, s["ai_single_shot_cost_usd_sum{use_case=\"search\",tier=\"enterprise\"}"], Tolerance);

        Assert.Equal(1, s["ai_tenant_info{tenant=\"acme\",tier=\"pro\"}"]);
        Assert.Equal(450, s["ai_tenant_revenue_usd_per_month{tenant=\"globex\",tier=\"enterprise\"}"]);
        Assert.Equal(900, s["ai_tenant_engagement{tenant=\"globex\",tier=\"enterprise\"}"]);
        Assert.Equal(2000, s["ai_infra_cost_usd_per_month{tier=\"enterprise\"}"]);
        Assert.Equal(2.5, s["ai_model_price_usd_per_million_tokens{provider=\"openai\",model=\"gpt-4o\",token_type=\"input\"}"]);
        Assert.Equal(0.08, s["ai_model_price_usd_per_million_tokens{provider=\"anthropic\",model=\"claude-3-5-haiku\",token_type=\"cache_read\"}"]);
        Assert.Equal(10, s["ai_model_price_usd_per_million_tokens{provider=\"openai\",model=\"gpt-4o\",token_type=\"reasoning\"}"]); // reasoning at the output price
        Assert.Equal(0, s["ai_tenant_overflow_total"]);
    }

    [Fact]
    public async Task Agent_task_and_single_shot_histograms()
    {
        var registry = Metrics.NewCustomRegistry();
        var provider = new ScriptedChatClient("openai", "gpt-4o");
        using (var tracing = Build(registry, out _))
        {
            using var chat = provider.AsBuilder().UseOpenTelemetry().Build();
            await AgentScenario.RunTaskAsync(chat, provider, "acme", "research");
            await AgentScenario.RunSingleShotAsync(chat, provider, "acme", "research");
        }

        var s = await Scrape.OfAsync(registry);
        const string labels = "{agent=\"researcher\",use_case=\"research\",tier=\"pro\"}";
        Assert.Equal(1, s["ai_agent_tasks_total{agent=\"researcher\",use_case=\"research\",tier=\"pro\",outcome=\"ok\"}"]);
        Assert.Equal(0.06175, s["ai_agent_task_cost_usd_sum" + labels]);   // 11,100 × 2.5 + 3,400 × 10 = 61,750 / 1e6
        Assert.Equal(6, s["ai_agent_task_model_calls_sum" + labels]);
        Assert.Equal(14_500, s["ai_agent_task_tokens_sum" + labels]);
        Assert.Equal(0.015, s["ai_single_shot_cost_usd_sum{use_case=\"research\",tier=\"pro\"}"]); // 2,000 × 2.5 + 1,000 × 10
        Assert.Equal(1, s["ai_single_shot_cost_usd_count{use_case=\"research\",tier=\"pro\"}"]);
        Assert.Equal(0.06175 + 0.015, s["ai_tenant_cost_usd_total{tenant=\"acme\",tier=\"pro\"}"], Tolerance);
    }

    [Fact]
    public async Task Tenant_past_the_cap_folds_into_other_and_is_counted()
    {
        var registry = Metrics.NewCustomRegistry();
        var sink = new PrometheusCostSink(registry);
        var engine = new CostEngine(new UnitEconomicsOptions { UseDefaultCatalog = false }, () => new PriceCatalog([Gpt4o]), () => TenantDirectory.Empty, [sink]);
        for (var i = 1; i <= 10_001; i++)
        {
            using var span = TestSpan("chat", ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.provider.name", "openai"),
                ("gen_ai.usage.input_tokens", 1000), ("tenant.id", $"tenant-{i:D5}"));
            engine.OnEnded(span);
        }

        var s = await Scrape.OfAsync(registry);
        Assert.Equal(1, s["ai_tenant_overflow_total"]);
        Assert.Equal(0.0025, s["ai_tenant_cost_usd_total{tenant=\"__other__\",tier=\"unknown\"}"]);   // 1,000 × 2.5 / 1e6
        Assert.Equal(0.0025, s["ai_tenant_cost_usd_total{tenant=\"tenant-10000\",tier=\"unknown\"}"]);
        Assert.False(s.Series.ContainsKey("ai_tenant_cost_usd_total{tenant=\"tenant-10001\",tier=\"unknown\"}"));
        Assert.Equal(10_001, s.Family("ai_tenant_cost_usd_total").Count()); // 10,000 tenants + __other__
    }

    [Fact]
    public async Task Cost_counters_add_up_exactly_and_every_scrape_shows_every_call_ended_before_it()
    {
        var registry = Metrics.NewCustomRegistry();
        var sink = new PrometheusCostSink(registry);
        var pricey = new ModelPrice { Id = "pricey", Provider = "openai", Standard = new PriceSet { Input = 100m } };
        var engine = new CostEngine(new UnitEconomicsOptions { UseDefaultCatalog = false }, () => new PriceCatalog([pricey]), () => TenantDirectory.Empty, [sink]);
        void Chat(int tokens)
        {
            using var span = TestSpan("chat", ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "pricey"), ("gen_ai.provider.name", "openai"),
                ("gen_ai.usage.input_tokens", tokens), ("tenant.id", "acme"), ("ai.use_case", "support"));
            engine.OnEnded(span);
        }

        const string series = "{provider=\"openai\",model=\"pricey\",operation=\"chat\",use_case=\"support\",tier=\"unknown\"}";
        Chat(1_000); // 1,000 × 100 / 1e6 = 0.1 USD
        Chat(2_000); // 0.2 USD; as doubles 0.1 + 0.2 would be 0.30000000000000004
        var first = await Scrape.OfAsync(registry);
        Assert.Equal(0.3, first["ai_cost_usd_total" + series]);
        Assert.Equal(0.3, first["ai_tenant_cost_usd_total{tenant=\"acme\",tier=\"unknown\"}"]);
        Assert.Equal(3_000, first["ai_tokens_total{provider=\"openai\",model=\"pricey\",use_case=\"support\",tier=\"unknown\",token_type=\"input\"}"]);

        Chat(1_000);
        var second = await Scrape.OfAsync(registry);
        Assert.Equal(0.4, second["ai_cost_usd_total" + series]);
        Assert.Equal(3, second["ai_requests_total{provider=\"openai\",model=\"pricey\",operation=\"chat\",use_case=\"support\",tier=\"unknown\",cache=\"none\"}"]);
        Assert.Equal(3, second["ai_tenant_requests_total{tenant=\"acme\",tier=\"unknown\"}"]);
        var third = await Scrape.OfAsync(registry); // nothing new: nothing added twice
        Assert.Equal(0.4, third["ai_cost_usd_total" + series]);
    }

    [Fact]
    public async Task Equal_labels_on_different_handles_count_in_one_series()
    {
        // Two engines (the in-process processor and, say, a second tracer provider) share one sink: each
        // hands out its own label-set handles, and the sink must still keep one series per label set.
        var registry = Metrics.NewCustomRegistry();
        var sink = new PrometheusCostSink(registry);
        var pricey = new ModelPrice { Id = "pricey", Provider = "openai", Standard = new PriceSet { Input = 100m } };
        CostEngine NewEngine() => new(new UnitEconomicsOptions { UseDefaultCatalog = false }, () => new PriceCatalog([pricey]), () => TenantDirectory.Empty, [sink]);
        void Chat(CostEngine engine, int tokens)
        {
            using var span = TestSpan("chat", ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "pricey"), ("gen_ai.provider.name", "openai"),
                ("gen_ai.usage.input_tokens", tokens), ("tenant.id", "acme"), ("ai.use_case", "support"));
            engine.OnEnded(span);
        }

        Chat(NewEngine(), 1_000); // 0.1 USD
        Chat(NewEngine(), 2_000); // 0.2 USD
        var s = await Scrape.OfAsync(registry);
        Assert.Equal(0.3, s[Assert.Single(s.Family("ai_cost_usd_total"))]);
        Assert.Equal(0.3, s[Assert.Single(s.Family("ai_tenant_cost_usd_total"))]);
        Assert.Equal(2, s[Assert.Single(s.Family("ai_tenant_requests_total"))]);
        Assert.Equal(2, s["ai_request_cost_usd_count{operation=\"chat\",use_case=\"support\",tier=\"unknown\"}"]);
        Assert.Equal(2, s["ai_single_shot_cost_usd_count{use_case=\"support\",tier=\"unknown\"}"]); // root chat spans: the engine's short path
    }

    [Fact]
    public async Task Rejected_and_unpriced_are_counted_by_reason_and_model()
    {
        var registry = Metrics.NewCustomRegistry();
        using (var tracing = Build(registry, out _))
        {
            Call("acme", "support", "openai", "gpt-4o", input: -1);
            Call("acme", "support", "mistral", "mystery-large", input: 10);
            Call("acme", "support", "mistral", "mystery-large", input: 10);
        }

        var s = await Scrape.OfAsync(registry);
        Assert.Equal(1, s["ai_spans_rejected_total{reason=\"token_negative\"}"]);
        Assert.Equal(2, s["ai_unpriced_requests_total{provider=\"mistral\",model=\"mystery-large\"}"]);
        Assert.Empty(s.Family("ai_cost_usd_total"));
    }

    private static Activity TestSpan(string name, params (string Key, object Value)[] tags)
    {
        var a = new Activity(name);
        foreach (var (k, v) in tags)
        {
            a.SetTag(k, v);
        }

        a.Start();
        a.Stop();
        return a;
    }

    private static void Call(string tenant, string useCase, string provider, string model, long input = 0, long output = 0, long cacheRead = 0, bool cacheHit = false)
    {
        using var span = AgentScenario.Source.StartActivity("chat " + model);
        span!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.provider.name", provider).SetTag("gen_ai.request.model", model)
            .SetTag("tenant.id", tenant).SetTag("ai.use_case", useCase);
        if (cacheHit)
        {
            span.SetTag("ai.cache.hit", true);
            return;
        }

        span.SetTag("gen_ai.usage.input_tokens", input).SetTag("gen_ai.usage.output_tokens", output);
        if (cacheRead > 0)
        {
            span.SetTag("gen_ai.usage.cache_read.input_tokens", cacheRead);
        }
    }

    private static TracerProvider Build(CollectorRegistry registry, out PrometheusCostSink sink)
    {
        var created = new PrometheusCostSink(registry);
        sink = created;
        return Sdk.CreateTracerProviderBuilder()
            .AddSource(AgentScenario.SourceName, "*Microsoft.Extensions.AI*")
            .ConfigureServices(s =>
            {
                s.AddSingleton(created);
                s.AddSingleton(new PriceCatalogSource(new PriceCatalog([Gpt4o, Haiku])));
                s.AddSingleton(new TenantDirectorySource(Tenants));
            })
            .AddUnitEconomicsPrometheus()
            .AddUnitEconomics(o => o.UseDefaultCatalog = false)
            .Build()!;
    }
}
