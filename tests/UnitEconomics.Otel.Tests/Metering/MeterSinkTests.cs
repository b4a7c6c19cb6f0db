using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Metering;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Otel.Tests.Metering;

/// <summary>
/// The OTel Meter path, translated to Prometheus by OpenTelemetry .NET's own Prometheus exporter (the
/// reference implementation of the OTLP→Prometheus naming rules): the names must be the contract's.
/// </summary>
[Collection("activity-listeners")]
public sealed class MeterSinkTests
{
    /// <summary>Every family of DESIGN §5 (plus the engine's rejection counter) that the workload below produces.</summary>
    private static readonly string[] ContractFamilies =
    [
        "ai_cost_usd_total", "ai_tenant_cost_usd_total", "ai_tokens_total", "ai_requests_total", "ai_tenant_requests_total",
        "ai_request_cost_usd", "ai_unpriced_requests_total", "ai_agent_tasks_total", "ai_agent_task_cost_usd",
        "ai_agent_task_model_calls", "ai_agent_task_tokens", "ai_single_shot_cost_usd", "ai_budget_exceeded_total",
        "ai_tenant_info", "ai_tenant_revenue_usd_per_month", "ai_tenant_engagement", "ai_infra_cost_usd_per_month",
        "ai_model_price_usd_per_million_tokens", "ai_tenant_overflow_total", "ai_spans_rejected_total",
    ];

    [Fact]
    public async Task Standard_translation_yields_the_contract_names()
    {
        var port = ExternalBinary.FreePort();
        using var sink = new MeterCostSink();
        var tenants = new TenantDirectory([new TierInfo("pro", 29m, false, 400m)], [new TenantInfo("acme", "pro", 29m, 12)]);
        sink.PublishTenants(tenants);
        var gpt = new ModelPrice { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.5m, Output = 10m } };
        sink.PublishPrices(new PriceCatalog([gpt]));
        using var meters = Sdk.CreateMeterProviderBuilder().AddUnitEconomicsInstrumentation()
            .AddPrometheusHttpListener(o => { o.Host = "127.0.0.1"; o.Port = port; }).Build();

        var engine = new CostEngine(new UnitEconomicsOptions { MaxTenants = 1, Budgets = { MaxTokensPerSession = 10 } }, () => new PriceCatalog([gpt]), () => tenants, [sink]);
        End(engine, ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"),
            ("gen_ai.usage.input_tokens", 1000), ("gen_ai.usage.output_tokens", 100), ("tenant.id", "acme"), ("ai.use_case", "support"), ("gen_ai.conversation.id", "c1"));
        End(engine, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "nope"), ("gen_ai.usage.input_tokens", 1), ("tenant.id", "other"));
        End(engine, ("gen_ai.operation.name", "chat"), ("gen_ai.usage.input_tokens", "x"));
        End(engine, ("gen_ai.operation.name", "invoke_agent"), ("gen_ai.agent.name", "a"), ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 10), ("tenant.id", "acme"));

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        var families = Regex.Matches(text, @"^# TYPE (\S+) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.All(ContractFamilies, f => Assert.Contains(f, families));

        // and the values and label names are the contract's: 1,000 × 2.5 + 100 × 10 = 3,500 / 1e6
        var line = text.Split('\n').Single(l => l.StartsWith("ai_tenant_cost_usd_total{", StringComparison.Ordinal) && l.Contains("tenant=\"acme\"", StringComparison.Ordinal));
        Assert.Contains("tier=\"pro\"", line, StringComparison.Ordinal);
        var value = double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.Equal(0.0035 + 0.000025, value, 1e-12); // plus the remote agent's 10 × 2.5 / 1e6
    }

    private static void End(CostEngine engine, params (string Key, object Value)[] tags)
    {
        var a = new Activity("span");
        foreach (var (k, v) in tags)
        {
            a.SetTag(k, v);
        }

        a.Start();
        a.Stop();
        engine.OnEnded(a);
    }
}
