using System.Globalization;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Tests.Support;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reconciliation;

/// <summary>
/// The estimate side from a real Prometheus that scraped <c>ue demo --serve</c> (real spans through the
/// OpenTelemetry SDK and the engine): its per-day counter deltas equal the demo's own figures token
/// for token, and bills written from those figures, served by loopback OpenAI and Anthropic admin APIs
/// and read live with keys from the environment, reconcile to every row matched.
/// </summary>
public sealed class ReconcilePrometheusTests
{
    [SkippableFact]
    public async Task Prometheus_estimates_reconcile_with_bills_of_the_same_calls_to_matched_rows()
    {
        await using var demo = await ScrapedDemo.StartAsync(seed: 11, requests: 400);
        var (report, _) = await demo.SettleAsync();
        // Cache lookups have neither cost nor tokens and unpriced models no cost: nothing to bill or estimate.
        List<ModelRow> models = [.. report.Models.Where(m => m.Cost is { } cost && (cost != 0 || m.UncachedInputTokens + m.CacheReadTokens + m.OutputTokens != 0))];
        using var source = new PrometheusReportSource(demo.Prometheus.Url);
        var today = DateTime.UtcNow.Date;
        var estimates = await EstimateSources.FromPrometheusAsync(source, today, today.AddDays(1), DateTime.UtcNow);
        foreach (var m in models)
        {
            var e = estimates.SingleOrDefault(e => e.Provider == m.Provider && e.Model == m.Model);
            Assert.True(e is not null, $"no estimate for {m.Provider}/{m.Model} ({m.Cost}, {m.Calls} requests) among {string.Join("; ", estimates)}");
            Assert.Equal(new TokenCounts(m.UncachedInputTokens, m.CacheReadTokens, m.CacheWriteTokens, m.OutputTokens + m.ReasoningTokens), e.Tokens);
            Assert.True(Math.Abs(e!.CostUsd - m.Cost!.Value) <= 1e-9m * Math.Max(1m, m.Cost.Value), $"{m.Model}: {e.CostUsd} against {m.Cost}");
        }

        // The bills of the same calls, as the providers would serve them.
        var openAiKey = "sk-admin-" + Guid.NewGuid().ToString("N");
        var anthropicKey = "sk-ant-admin01-" + Guid.NewGuid().ToString("N");
        await using var openAi = Serve(OpenAiAdminApi.Api, models, today, r => r.Headers["Authorization"] == "Bearer " + openAiKey);
        await using var anthropic = Serve(AnthropicAdminApi.Api, models, today, r => r.Headers["x-api-key"] == anthropicKey);
        var openAiVariable = "UE_TEST_OPENAI_ADMIN_KEY_" + demo.Port.ToString(CultureInfo.InvariantCulture);
        var anthropicVariable = "UE_TEST_ANTHROPIC_ADMIN_KEY_" + demo.Port.ToString(CultureInfo.InvariantCulture);
        Environment.SetEnvironmentVariable(openAiVariable, openAiKey);
        Environment.SetEnvironmentVariable(anthropicVariable, anthropicKey);
        try
        {
            var result = await ReconcileRunner.RunAsync(new ReconcileSettings
            {
                Bills = [BillSource.OpenAi(null, null, openAi.Url, openAiVariable), BillSource.Anthropic(null, null, anthropic.Url, anthropicVariable)],
                Prometheus = demo.Prometheus.Url,
                FromUtc = today,
                ToUtc = today.AddDays(1),
            });

            var billed = models.Where(m => m.Provider is "openai" or "anthropic").ToList();
            Assert.Equal(billed.Count, result.Rows.Count);
            Assert.All(result.Rows, r => Assert.Equal(Verdict.Matched, r.Verdict));
            Assert.All(result.Rows, r => Assert.Equal(r.BilledTokens, r.TracedTokens));
            Assert.Equal(["openai", "anthropic"], result.Providers.Select(p => p.Provider));
            Assert.All(result.Providers, p => Assert.Equal(1.0, p.EstimateRatio!.Value, 9));
            Assert.All(result.Providers, p => Assert.All(p.Coverage.Values, c => Assert.Equal(1.0, c)));

            var output = ReconciliationRenderer.ToText(result, markdown: false) + ReconciliationRenderer.ToCsv(result) + ReconciliationRenderer.ToJson(result);
            Assert.DoesNotContain(openAiKey, output, StringComparison.Ordinal);
            Assert.DoesNotContain(anthropicKey, output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(openAiVariable, null);
            Environment.SetEnvironmentVariable(anthropicVariable, null);
        }
    }

    private static LoopbackAdminApi Serve(ProviderApi api, List<ModelRow> models, DateTime day, Func<System.Net.HttpListenerRequest, bool> authorized)
    {
        var mine = models.Where(m => m.Provider == api.Provider).ToList();
        var server = new LoopbackAdminApi(authorized);
        server.Serve(api.Costs.Path, [.. api.Costs.WritePages(mine.Select(m => new BilledCost(day, m.Model, m.Cost!.Value, m.Model + ", input")))]);
        server.Serve(api.Usage.Path, [.. api.Usage.WritePages(mine.Select(m =>
            new BilledUsage(day, m.Model, new TokenCounts(m.UncachedInputTokens, m.CacheReadTokens, m.CacheWriteTokens, m.OutputTokens + m.ReasoningTokens), m.Calls)))]);
        return server;
    }
}
