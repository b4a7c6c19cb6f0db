using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests;

/// <summary>Structure of the Grafana dashboards: ids, uids, datasources, units, rate windows, grid, and valid PromQL.</summary>
public sealed class DashboardTests
{
    /// <summary>
    /// Fixed windows a rate()/increase() may use instead of $__rate_interval: the business windows (a billing
    /// month, a week, a day) and the dashboard's own range for "in the selected range" totals.
    /// </summary>
    private static readonly HashSet<string> BusinessWindows = ["30d", "7d", "1d", "$__range"];

    private static readonly string[] UnitPanels = ["timeseries", "stat", "table", "bargauge", "gauge", "heatmap"];

    private static string[] DashboardFiles() =>
        Directory.GetFiles(RepoPaths.Combine("dashboards"), "*.json").Select(f => Path.GetFileName(f)).Order().ToArray();

    public static TheoryData<string> Files() => new(DashboardFiles());

    private static JsonElement Load(string file) =>
        JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("dashboards", file))).RootElement;

    private static IEnumerable<JsonElement> Panels(JsonElement dashboard) => dashboard.GetProperty("panels").EnumerateArray();

    private static IEnumerable<JsonElement> Targets(JsonElement dashboard) =>
        Panels(dashboard).Where(p => p.TryGetProperty("targets", out _)).SelectMany(p => p.GetProperty("targets").EnumerateArray());

    private static IEnumerable<string> PromQl(JsonElement dashboard) =>
        Targets(dashboard).Where(t => t.TryGetProperty("expr", out _)).Select(t => t.GetProperty("expr").GetString()!);

    [Fact]
    public void The_five_dashboards_exist_with_unique_uids()
    {
        var uids = DashboardFiles().Select(f => Load(f).GetProperty("uid").GetString()!).ToArray();
        Assert.Equal(["ue-agents", "ue-models", "ue-overview", "ue-requests", "ue-tenant"], uids.Order().ToArray());
    }

    [SkippableFact]
    public async Task Generator_output_is_committed()
    {
        // The JSON must be what dashboards/generate.py writes; a hand edit of the JSON alone fails here.
        var python = ExternalBinary.Require("python3", "python3");

        var dir = Directory.CreateTempSubdirectory("dashboards-");
        try
        {
            File.Copy(RepoPaths.Combine("dashboards", "generate.py"), Path.Combine(dir.FullName, "generate.py"));
            var (code, output) = await ManagedProcess.RunAsync(python, [Path.Combine(dir.FullName, "generate.py")]);
            Assert.True(code == 0, output);
            foreach (var file in DashboardFiles())
            {
                Assert.Equal(File.ReadAllText(RepoPaths.Combine("dashboards", file)), File.ReadAllText(Path.Combine(dir.FullName, file)));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Panel_ids_are_unique_and_the_grid_fits_24_columns_without_overlap(string file)
    {
        var panels = Panels(Load(file)).ToArray();
        Assert.NotEmpty(panels);
        var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());

        var boxes = panels.Select(p => p.GetProperty("gridPos")).Select(g => (
            X: g.GetProperty("x").GetInt32(), Y: g.GetProperty("y").GetInt32(), W: g.GetProperty("w").GetInt32(), H: g.GetProperty("h").GetInt32())).ToArray();
        foreach (var b in boxes)
        {
            Assert.True(b.X >= 0 && b.Y >= 0 && b.W > 0 && b.H > 0 && b.X + b.W <= 24, $"{file}: {b}");
        }

        for (var i = 0; i < boxes.Length; i++)
        {
            for (var j = i + 1; j < boxes.Length; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"{file}: panels {ids[i]} and {ids[j]} overlap");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Datasources_are_the_variable_or_a_provisioned_uid(string file)
    {
        var dashboard = Load(file);
        var variable = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == "datasource");
        Assert.Equal("datasource", variable.GetProperty("type").GetString());
        var kind = variable.GetProperty("query").GetString();
        Assert.Contains(kind, new[] { "prometheus", "influxdb" });

        // Every datasource is a dashboard variable of type datasource: no uid of one installation is hard-coded.
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Where(v => v.GetProperty("type").GetString() == "datasource")
            .ToDictionary(v => "${" + v.GetProperty("name").GetString() + "}", v => v.GetProperty("query").GetString());
        foreach (var panel in Panels(dashboard).Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var panelDs = panel.GetProperty("datasource");
            Assert.Equal(variables[panelDs.GetProperty("uid").GetString()!], panelDs.GetProperty("type").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var ds = target.GetProperty("datasource");
                Assert.Equal(variables[ds.GetProperty("uid").GetString()!], ds.GetProperty("type").GetString());
                // A PromQL target talks to Prometheus, an InfluxQL one to InfluxDB.
                Assert.Equal(target.TryGetProperty("expr", out _) ? "prometheus" : "influxdb", ds.GetProperty("type").GetString());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_value_panel_has_a_unit(string file)
    {
        foreach (var panel in Panels(Load(file)).Where(p => UnitPanels.Contains(p.GetProperty("type").GetString())))
        {
            var unit = panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString();
            Assert.False(string.IsNullOrEmpty(unit), panel.GetProperty("title").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Money_is_in_dollars_and_ratios_in_percent(string file)
    {
        foreach (var panel in Panels(Load(file)).Where(p => UnitPanels.Contains(p.GetProperty("type").GetString())))
        {
            var title = panel.GetProperty("title").GetString()!;
            var unit = panel.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString();
            if (title.Contains("spend", StringComparison.OrdinalIgnoreCase) && !title.Contains("share", StringComparison.OrdinalIgnoreCase)
                && !title.Contains("correlation", StringComparison.OrdinalIgnoreCase))
            {
                Assert.True(unit == "currencyUSD", title);
            }

            if (title.Contains("share", StringComparison.OrdinalIgnoreCase) || title.Contains("hit rate", StringComparison.OrdinalIgnoreCase))
            {
                Assert.True(unit == "percentunit", title);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Rates_use_rate_interval_unless_over_a_business_window(string file)
    {
        foreach (var expr in PromQl(Load(file)))
        {
            foreach (Match m in Regex.Matches(expr, @"\b(rate|irate|increase)\([^\[\)]*\[([^\]]+)\]"))
            {
                var range = m.Groups[2].Value;
                Assert.True(range == "$__rate_interval" || BusinessWindows.Contains(range), $"{file}: {m.Value}");
            }
        }
    }

    [Fact]
    public void The_rate_window_check_catches_a_fixed_window()
    {
        // The check above must be able to fail: a hard-coded [5m] is not allowed.
        var m = Regex.Match("sum(rate(ai_cost_usd_total[5m]))", @"\b(rate|irate|increase)\([^\[\)]*\[([^\]]+)\]");
        Assert.True(m.Success);
        Assert.DoesNotContain(m.Groups[2].Value, BusinessWindows);
    }

    [SkippableFact]
    public async Task Every_promql_query_parses_and_selects_only_known_series()
    {
        var records = Yaml.Load(RepoPaths.Combine("deploy", "prometheus", "rules", "unit-economics.rules.yml")).List("groups").Maps()
            .SelectMany(g => g.List("rules").Maps()).Select(r => r.Get("record")?.ToString()).OfType<string>().ToHashSet();
        var queries = DashboardFiles().SelectMany(f => PromQl(Load(f))).ToArray();
        Assert.True(queries.Length > 40, $"only {queries.Length} PromQL queries");

        var rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        for (var i = 0; i < queries.Length; i++)
        {
            var expr = queries[i].Replace("$__rate_interval", "2m").Replace("$__range", "6h").Replace("$tenant", "t1").Replace("$tier", "pro")
                .Replace("$use_case", ".*").Replace("$model", ".*");
            Assert.DoesNotContain("$", expr);
            rules.Append($"      - record: dashboard:query_{i}:check\n        expr: {JsonSerializer.Serialize(expr)}\n");
            foreach (Match m in Regex.Matches(expr, @"(?<![a-z_:])(:?[a-z_]*:?ai_[a-z0-9_]+(?::[a-z0-9_]+)?)"))
            {
                Assert.True(Contract.SeriesNames.Contains(m.Value) || records.Contains(m.Value), $"{m.Value} in {queries[i]}");
            }
        }

        var promtool = ExternalBinary.Require("promtool", "prometheus");

        var path = Path.Combine(Path.GetTempPath(), $"dashboard-queries-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(path, rules.ToString());
        try
        {
            var (code, output) = await ManagedProcess.RunAsync(promtool, ["check", "rules", path]);
            Assert.True(code == 0, output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Request_explorer_reads_the_ai_request_measurement_with_contract_fields()
    {
        var queries = Targets(Load("request-explorer.json")).Select(t => t.GetProperty("query").GetString()!).ToArray();
        Assert.All(queries, q => Assert.Contains("FROM \"ai_request\"", q));
        var table = queries.Single(q => q.Contains("LIMIT", StringComparison.Ordinal));
        foreach (var column in new[]
                 {
                     "tenant", "tier", "provider", "model", "operation", "use_case", "cache", "input_tokens", "cache_read_tokens",
                     "cache_write_tokens", "output_tokens", "reasoning_tokens", "cost_usd", "latency_ms", "request_id", "trace_id", "cost_source",
                 })
        {
            Assert.Contains($"\"{column}\"", table);
        }
    }

    [Fact]
    public void Overview_shows_the_red_flags_and_the_free_tier_line()
    {
        var overview = Load("overview.json");
        var exprs = PromQl(overview).ToArray();
        Assert.Contains("ALERTS{alertname=~\"AI.*\", alertstate=\"firing\"}", exprs);
        var share = Panels(overview).Single(p => p.GetProperty("title").GetString() == "Free-tier share of spend vs the 10% line");
        var steps = share.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("thresholds").GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(0.1, steps[1].GetProperty("value").GetDouble());
    }

    [Fact]
    public void Overview_shows_cost_per_user_request_by_shape_and_per_rag_query()
    {
        var overview = Load("overview.json");
        var byShape = Panels(overview).Single(p => p.GetProperty("title").GetString() == "Cost per user request by shape (mean, p50, p95)");
        Assert.Equal("currencyUSD", byShape.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString());
        var exprs = byShape.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToArray();
        // The mean divides only where requests closed (> 0): no NaN or +Inf from a shape with none in the interval.
        Assert.Equal(
            [
                "sum by (shape) (increase(ai_user_request_cost_usd_sum[$__rate_interval])) / (sum by (shape) (increase(ai_user_request_cost_usd_count[$__rate_interval])) > 0)",
                "histogram_quantile(0.5, sum by (shape, le) (rate(ai_user_request_cost_usd_bucket[$__rate_interval])))",
                "histogram_quantile(0.95, sum by (shape, le) (rate(ai_user_request_cost_usd_bucket[$__rate_interval])))",
            ],
            exprs);

        var rag = Panels(overview).Single(p => p.GetProperty("title").GetString() == "Cost per RAG query by use case (selected range)");
        Assert.Equal("stat", rag.GetProperty("type").GetString());
        Assert.Equal("currencyUSD", rag.GetProperty("fieldConfig").GetProperty("defaults").GetProperty("unit").GetString());
        var target = Assert.Single(rag.GetProperty("targets").EnumerateArray());
        Assert.True(target.GetProperty("instant").GetBoolean());
        Assert.Equal(
            "sum by (use_case) (increase(ai_user_request_cost_usd_sum{shape=\"rag\"}[$__range])) / (sum by (use_case) (increase(ai_user_request_cost_usd_count{shape=\"rag\"}[$__range])) > 0)",
            target.GetProperty("expr").GetString());
    }

    [Fact]
    public void Provisioned_datasources_have_the_uids_the_dashboards_use()
    {
        var sources = Yaml.Load(RepoPaths.Combine("dashboards", "provisioning", "datasources", "datasources.yml")).List("datasources").Maps().ToArray();
        var prometheus = sources.Single(s => s.Str("uid") == "prometheus");
        Assert.Equal("prometheus", prometheus.Str("type"));
        var influx = sources.Single(s => s.Str("uid") == "influxdb");
        Assert.Equal("influxdb", influx.Str("type"));
        Assert.Equal("InfluxQL", influx.Map("jsonData").Str("version"));
        Assert.Equal("unit_economics", influx.Map("jsonData").Str("dbName"));

        var provider = Yaml.Load(RepoPaths.Combine("dashboards", "provisioning", "dashboards", "dashboards.yml")).List("providers").Maps().Single();
        Assert.Equal("file", provider.Str("type"));
        Assert.Equal("/var/lib/grafana/dashboards/unit-economics", provider.Map("options").Str("path"));
    }
}
