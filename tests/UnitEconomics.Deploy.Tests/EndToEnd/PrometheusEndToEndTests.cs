using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// Every PromQL query of every dashboard panel and template variable, run on the real Prometheus fed by
/// the engine, returns data; the recorded money is the workload's, by hand; the red flags reach the webhook
/// through the repo's Alertmanager routing.
/// </summary>
public sealed class PrometheusEndToEndTests(PrometheusStack stack) : IClassFixture<PrometheusStack>
{
    private const double Tolerance = 1e-9;

    /// <summary>Panel queries allowed to come back empty, with why (the workload raises alerts, so ALERTS has data too).</summary>
    private static readonly Dictionary<string, string> AllowedEmpty = new()
    {
        ["3 * tenant_tier:ai_tenant_cost_usd:mean_daily_prev7d and on (tenant, tier) topk(10, tenant_tier:ai_tenant_cost_usd:increase1d)"] =
            "a tenant's usual day is the mean of the 7 days before the last one: a stack started seconds ago has no such history",
    };

    /// <summary>Grafana's built-in macros at a 1h dashboard range.</summary>
    private static readonly Dictionary<string, string> Macros = new()
    {
        ["datasource"] = "prometheus",
        ["__rate_interval"] = "1m",
        ["__range"] = "1h",
        ["__interval"] = "15s",
    };

    /// <summary>One value of each dashboard variable the workload produces (the use case with agent tasks, budgets and single shots).</summary>
    private static readonly Dictionary<string, string> Chosen = new()
    {
        ["use_case"] = "research",
        ["model"] = "gpt-4o",
        ["tenant"] = "acme",
        ["tier"] = "pro",
    };

    public static TheoryData<string, string, string> PrometheusQueries()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var q in Grafana.Dashboards().SelectMany(Grafana.Queries).Where(q => q.DatasourceType == "prometheus"))
        {
            data.Add(q.Dashboard, q.Panel, q.RefId);
        }

        return data;
    }

    public static TheoryData<string, string> PrometheusVariables()
    {
        var data = new TheoryData<string, string>();
        foreach (var v in Grafana.Dashboards().SelectMany(Grafana.Variables).Where(v => v.DatasourceType == "prometheus"))
        {
            data.Add(v.Dashboard, v.Name);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(PrometheusQueries))]
    public async Task Panel_query_returns_data(string dashboard, string panel, string refId)
    {
        Skip.IfNot(stack.Available, stack.SkipReason);

        var query = Grafana.Queries(dashboard).Single(q => q.Panel == panel && q.RefId == refId);
        foreach (var values in await this.VariableSettings(dashboard))
        {
            var promql = Grafana.Substitute(query.Text, values);
            var result = await stack.Prometheus.QueryAsync(promql);
            if (AllowedEmpty.ContainsKey(query.Text))
            {
                continue;
            }

            Assert.True(result.GetArrayLength() > 0, $"{dashboard} / {panel} / {refId} returned nothing:\n{promql}\n{stack.Diagnostics}");
            Assert.True(
                result.EnumerateArray().Any(s => double.IsFinite(PrometheusStack.Value(s))),
                $"{dashboard} / {panel} / {refId} returned only NaN/Inf:\n{promql}\n{result}");
        }
    }

    [SkippableTheory]
    [MemberData(nameof(PrometheusVariables))]
    public async Task Template_variable_lists_the_workloads_values(string dashboard, string name)
    {
        Skip.IfNot(stack.Available, stack.SkipReason);

        var variable = Grafana.Variables(dashboard).Single(v => v.Name == name);
        var (match, label) = Grafana.LabelValues(Grafana.Substitute(variable.Query, Chosen));
        var values = await stack.Prometheus.LabelValuesAsync(label, match);
        var expected = name switch
        {
            "use_case" => new[] { "research", "search", "support" },     // agent tasks: research only; costs: all three
            "model" => ["claude-3-5-haiku", "gpt-4o", "text-embedding-3-small"], // the unpriced model has no cost series
            "tenant" => ["acme", "globex", "hobbyist-1", "hobbyist-2", "initech"],
            "tier" => ["pro"],                                           // of tenant acme
            _ => throw new InvalidOperationException("a new variable: say what it must list"),
        };
        if (name == "use_case" && dashboard == "agent-tasks.json")
        {
            expected = ["research"];
        }

        Assert.Equal(expected, values.Order(StringComparer.Ordinal).ToArray());
    }

    [SkippableFact]
    public async Task Recorded_ratios_and_gauges_are_the_workloads_by_hand()
    {
        Skip.IfNot(stack.Available, stack.SkipReason);

        // Each round: free 0.0212 of all 0.13111 USD (Workload.RunRound); scrapes hold whole rounds, so any
        // window holds the same proportions.
        Assert.Equal(0.0212 / 0.13111, await this.Scalar(":ai_free_tier_spend_share:ratio7d"), Tolerance);
        Assert.Equal(0.0212 / 0.13111, await this.Scalar(":ai_free_tier_spend_share:ratio30d"), Tolerance);

        // research: tasks 0.06175 (researcher) and 0.0032 (triage), mean 0.032475; single shot 0.015: 2.165×.
        Assert.Equal(2.165, await this.Scalar("use_case:ai_agent_cost_multiplier:ratio{use_case=\"research\"}"), Tolerance);

        // search: acme's lookup missed, globex's hit, hobbyist-2 looked nothing up (cache="none"): 1 of 2 lookups.
        Assert.Equal(0.5, await this.Scalar("use_case:ai_cache_hit_ratio:rate1h{use_case=\"search\"}"), Tolerance);
        // search on haiku: 500 cache-read tokens of 3,000 input (acme 1,500 + 500, hobbyist-2 1,000).
        Assert.Equal(1.0 / 6, await this.Scalar("use_case_model:ai_prompt_cache_read_ratio:rate1h{use_case=\"search\",model=\"claude-3-5-haiku\"}"), Tolerance);

        Assert.Equal(2, await this.Scalar("tier:ai_customers:count{tier=\"pro\"}"));
        Assert.Equal(2, await this.Scalar("tier:ai_customers:count{tier=\"free\"}"));
        Assert.Equal(1, await this.Scalar("tier:ai_customers:count{tier=\"enterprise\"}"));
        Assert.Equal(29, await this.Scalar("tier:ai_revenue_per_customer_usd:month{tier=\"pro\"}"));   // (29 + 29) / 2
        Assert.Equal(500, await this.Scalar("tier:ai_revenue_per_customer_usd:month{tier=\"enterprise\"}"));
        Assert.Equal(0, await this.Scalar("tier:ai_revenue_per_customer_usd:month{tier=\"free\"}"));
        Assert.Equal(100, await this.Scalar("tier:ai_infra_cost_usd:month{tier=\"enterprise\"}"));
        Assert.Equal(2.5, await this.Scalar("max(ai_model_price_usd_per_million_tokens{model=\"gpt-4o\",token_type=\"input\"})"));

        // Unpriced: one mistral/mystery-large call per round, never priced.
        var unpriced = await stack.Prometheus.QueryAsync("ai_unpriced_requests_total");
        Assert.Equal(["mistral/mystery-large"], unpriced.EnumerateArray().Select(s => s.GetProperty("metric").GetProperty("provider").GetString() + "/" + s.GetProperty("metric").GetProperty("model").GetString()).ToArray());

        // Margin compression against the backfilled week: cost per customer grew from 5, revenue stayed at 29.
        Assert.Equal(1, await this.Scalar("tier:ai_revenue_per_customer_usd:growth7d{tier=\"pro\"}"));
        Assert.True(await this.Scalar("tier:ai_cost_per_customer_usd:growth7d{tier=\"pro\"}") >= 2); // (≥ 20 / 2) / 5
    }

    [SkippableFact]
    public async Task Red_flags_reach_the_webhook_through_alertmanager_with_their_labels()
    {
        Skip.IfNot(stack.Available, stack.SkipReason);

        await Poll.UntilAsync(
            () => Task.FromResult(
                Has(stack.Webhook.Received, "AIFreeTierSubsidyHigh", "free") && Has(stack.Webhook.Received, "AIMarginCompression", "pro")),
            TimeSpan.FromSeconds(60),
            () => "webhook got: " + string.Join("; ", stack.Webhook.Received.Select(a => a.Path + " " + string.Join(",", a.Labels))) + "\n" + stack.Diagnostics);

        foreach (var (name, tier) in new[] { ("AIFreeTierSubsidyHigh", "free"), ("AIMarginCompression", "pro") })
        {
            var alert = stack.Webhook.Received.First(a => a.Labels["alertname"] == name);
            Assert.Equal("firing", alert.Status);
            Assert.Equal("warning", alert.Labels["severity"]);
            Assert.Equal(tier, alert.Labels["tier"]);
            Assert.Equal("/alerts", alert.Path);                    // severity="warning" routes to unit-economics-webhook
            Assert.Equal("unit-economics", alert.Labels["system"]); // prometheus.yml's external label rides along
        }

        // No paid tier loses money in this workload (that alert would inhibit margin compression).
        Assert.DoesNotContain(stack.Webhook.Received, a => a.Labels["alertname"] == "AINegativeGrossMargin");
    }

    [SkippableFact]
    public async Task Cache_rates_agree_between_rules_dashboard_and_report()
    {
        Skip.IfNot(stack.Available, stack.SkipReason);

        // The report over the last 10 minutes (exact counter deltas) and the recording rule agree on the
        // workload's 1 hit in 2 lookups, and so does the overview panel's own query.
        using var source = new UnitEconomics.Cli.Reporting.PrometheusReportSource(stack.Prometheus.Url);
        var to = DateTime.UtcNow;
        var inputs = await source.LoadAsync(to.AddMinutes(-10), to, Workload.Tenants);
        var search = UnitEconomics.Cli.Reporting.ReportBuilder.Build(inputs, Workload.Catalog).UseCases.Single(u => u.UseCase == "search");
        Assert.Equal(0.5, search.CacheHitRate!.Value, Tolerance);
        Assert.Equal(500.0 / 4_000, search.PromptCacheReadShare!.Value, Tolerance); // embeddings 2 × 500 + haiku 3,000 input tokens
        Assert.Equal(search.CacheHitRate.Value, await this.Scalar("use_case:ai_cache_hit_ratio:rate1h{use_case=\"search\"}"), Tolerance);

        var panel = Grafana.Queries("overview.json").Single(q => q.Panel == "Semantic-cache hit rate by use case");
        var byUseCase = await stack.Prometheus.QueryAsync(Grafana.Substitute(panel.Text, Macros));
        var fromPanel = byUseCase.EnumerateArray().Single(r => r.GetProperty("metric").GetProperty("use_case").GetString() == "search");
        Assert.Equal(search.CacheHitRate.Value, PrometheusStack.Value(fromPanel), Tolerance);
    }

    [SkippableFact]
    public async Task Cost_per_rag_query_agrees_between_dashboard_and_report_by_hand()
    {
        Skip.IfNot(stack.Available, stack.SkipReason);

        // Each round has one RAG query, acme's search: embedding 500 × 0.02/M = 0.00001 + haiku 0.00164 = 0.00165.
        using var source = new UnitEconomics.Cli.Reporting.PrometheusReportSource(stack.Prometheus.Url);
        var to = DateTime.UtcNow;
        var report = UnitEconomics.Cli.Reporting.ReportBuilder.Build(await source.LoadAsync(to.AddMinutes(-10), to, Workload.Tenants), Workload.Catalog);
        var rag = Assert.Single(report.RagQueries);
        Assert.Equal("search", rag.UseCase);
        Assert.True(rag.Queries > 0);
        Assert.Equal(0.00165, (double)rag.CostPerQuery, Tolerance);
        Assert.Equal(rag.CostPerQuery, report.UserRequests.Single(r => r.Shape == "rag").CostPerRequest);

        var stat = Grafana.Queries("overview.json").Single(q => q.Panel == "Cost per RAG query by use case (selected range)");
        var bySearch = (await stack.Prometheus.QueryAsync(Grafana.Substitute(stat.Text, Macros))).EnumerateArray()
            .Single(r => r.GetProperty("metric").GetProperty("use_case").GetString() == "search");
        Assert.Equal(0.00165, PrometheusStack.Value(bySearch), Tolerance);

        var mean = Grafana.Queries("overview.json").Single(q => q.Panel == "Cost per user request by shape (mean, p50, p95)" && q.RefId == "A");
        var byShape = (await stack.Prometheus.QueryAsync(Grafana.Substitute(mean.Text, Macros))).EnumerateArray()
            .Single(r => r.GetProperty("metric").GetProperty("shape").GetString() == "rag");
        Assert.Equal(0.00165, PrometheusStack.Value(byShape), Tolerance);
    }

    private static bool Has(IReadOnlyList<ReceivedAlert> alerts, string name, string tier) =>
        alerts.Any(a => a.Labels.TryGetValue("alertname", out var n) && n == name && a.Labels.TryGetValue("tier", out var t) && t == tier);

    /// <summary>
    /// The variable settings a dashboard is checked with: one chosen value each, and (for multi-value
    /// variables with "All") Grafana's All: the allValue, or every listed value as a regex alternation.
    /// </summary>
    private async Task<List<Dictionary<string, string>>> VariableSettings(string dashboard)
    {
        var one = new Dictionary<string, string>(Macros);
        var all = new Dictionary<string, string>(Macros);
        var hasAll = false;
        foreach (var v in Grafana.Variables(dashboard))
        {
            one[v.Name] = Chosen[v.Name];
            if (v.IncludeAll)
            {
                hasAll = true;
                var (match, label) = Grafana.LabelValues(Grafana.Substitute(v.Query, Chosen));
                var values = await stack.Prometheus.LabelValuesAsync(label, match);
                all[v.Name] = v.AllValue ?? "(" + string.Join("|", values.Select(Regex.Escape)) + ")";
            }
            else
            {
                all[v.Name] = Chosen[v.Name];
            }
        }

        return hasAll ? [one, all] : [one];
    }

    private async Task<double> Scalar(string promql)
    {
        var result = await stack.Prometheus.QueryAsync(promql);
        Assert.True(result.GetArrayLength() == 1, $"{promql} returned {result.GetArrayLength()} series: {result}");
        return PrometheusStack.Value(result[0]);
    }
}
