using System.Globalization;
using System.Text;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// A real InfluxDB 1.x holding the DESIGN §5 event log (<c>ai_request</c>, <c>ai_agent_task</c>), written as
/// line protocol the way the sink's contract says, in the last half hour.
/// </summary>
public sealed class InfluxEventLog : IAsyncLifetime
{
    public const string Database = "unit_economics";

    /// <summary>
    /// The requests. Costs by hand, USD per million tokens: gpt-4o 1,000/200 = 0.0045; haiku 1,500 + 500
    /// cached / 100 = 0.00164; gpt-4o 2,000/1,000 = 0.015; o3-mini reported by the provider 0.0143;
    /// gpt-4o 4,000/1,000 = 0.02 (twice); embedding 500 × 0.02 = 0.00001; haiku 2,000 + 1,000 cache write / 300 = 0.0038.
    /// </summary>
    private static readonly string[] Requests =
    [
        "tenant=acme,tier=pro,provider=openai,model=gpt-4o,operation=chat,use_case=support,cache=miss 1000,0,0,200,0,0.0045,820.5,req-1,4bf92f3577b34da6a3ce929d0e0e4736,estimated 20",
        "tenant=acme,tier=pro,provider=anthropic,model=claude-3-5-haiku,operation=chat,use_case=search,cache=miss 2000,500,0,100,0,0.00164,410,req-2,5bf92f3577b34da6a3ce929d0e0e4736,estimated 15",
        "tenant=acme,tier=pro,provider=openai,model=gpt-4o,operation=chat,use_case=research,cache=miss 2000,0,0,1000,0,0.015,1900,req-3,6bf92f3577b34da6a3ce929d0e0e4736,estimated 10",
        "tenant=acme,tier=pro,provider=openai,model=o3-mini,operation=chat,use_case=research,cache=miss 1000,0,0,3000,2000,0.0143,5200,req-4,7bf92f3577b34da6a3ce929d0e0e4736,reported 5",
        "tenant=globex,tier=enterprise,provider=openai,model=gpt-4o,operation=chat,use_case=support,cache=miss 4000,0,0,1000,0,0.02,1300,req-5,8bf92f3577b34da6a3ce929d0e0e4736,estimated 12",
        "tenant=globex,tier=enterprise,provider=openai,model=text-embedding-3-small,operation=embeddings,use_case=search,cache=hit 500,0,0,0,0,0.00001,35,req-6,9bf92f3577b34da6a3ce929d0e0e4736,estimated 8",
        "tenant=hobbyist-1,tier=free,provider=openai,model=gpt-4o,operation=chat,use_case=support,cache=miss 4000,0,0,1000,0,0.02,1250,req-7,abf92f3577b34da6a3ce929d0e0e4736,estimated 3",
        "tenant=initech,tier=pro,provider=anthropic,model=claude-3-5-haiku,operation=chat,use_case=support,cache=miss 3000,0,1000,300,0,0.0038,640,req-8,bbf92f3577b34da6a3ce929d0e0e4736,estimated 2",
    ];

    private InfluxDbServer? server;

    public bool Available => this.server is not null;

    /// <summary>Why influxd could not start (missing, outside CI); the tests skip with it.</summary>
    public string SkipReason { get; private set; } = string.Empty;

    public InfluxDbServer Server => this.server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        try
        {
            this.server = await InfluxDbServer.StartNewAsync(Database);
        }
        catch (SkipException ex)
        {
            this.SkipReason = ex.Message;
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var lines = new StringBuilder();
        foreach (var request in Requests)
        {
            // tags, then the ten fields in contract order, then minutes ago
            var parts = request.Split(' ');
            var f = parts[1].Split(',');
            lines.Append(CultureInfo.InvariantCulture, $"ai_request,{parts[0]} input_tokens={f[0]}i,cache_read_tokens={f[1]}i,cache_write_tokens={f[2]}i,output_tokens={f[3]}i,reasoning_tokens={f[4]}i,")
                .Append(CultureInfo.InvariantCulture, $"cost_usd={f[5]},latency_ms={f[6]},request_id=\"{f[7]}\",trace_id=\"{f[8]}\",cost_source=\"{f[9]}\" {Ns(now, int.Parse(parts[2], CultureInfo.InvariantCulture))}\n");
        }

        lines.Append(CultureInfo.InvariantCulture, $"ai_agent_task,agent=researcher,outcome=budget_exceeded,tenant=acme,tier=pro,use_case=research model_calls=6i,tool_calls=3i,failed_calls=1i,tokens=14500i,cost_usd=0.06175,duration_ms=21000,trace_id=\"cbf92f3577b34da6a3ce929d0e0e4736\" {Ns(now, 9)}\n");
        lines.Append(CultureInfo.InvariantCulture, $"ai_agent_task,agent=triage,outcome=ok,tenant=globex,tier=enterprise,use_case=research model_calls=2i,tool_calls=0i,failed_calls=0i,tokens=2400i,cost_usd=0.0032,duration_ms=2300,trace_id=\"dbf92f3577b34da6a3ce929d0e0e4736\" {Ns(now, 7)}\n");

        using var http = new HttpClient { BaseAddress = this.server.Url };
        using var body = new StringContent(lines.ToString(), Encoding.UTF8, "text/plain");
        using var response = await http.PostAsync(new Uri($"write?db={Database}&precision=ns", UriKind.Relative), body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"influxd refused the points: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync()
    {
        if (this.server is not null)
        {
            await this.server.DisposeAsync();
        }
    }

    private static long Ns(DateTimeOffset now, int minutesAgo) => (now - TimeSpan.FromMinutes(minutesAgo)).ToUnixTimeMilliseconds() * 1_000_000;
}

/// <summary>Every InfluxQL query of every dashboard (the request explorer and the InfluxDB panels of the tenant drilldown) returns rows.</summary>
public sealed class InfluxEndToEndTests(InfluxEventLog log) : IClassFixture<InfluxEventLog>
{
    /// <summary>Grafana's InfluxDB macros at a 1h range.</summary>
    private static readonly Dictionary<string, string> Macros = new()
    {
        ["datasource"] = "influxdb",
        ["timeFilter"] = "time >= now() - 1h and time <= now()",
        ["__interval"] = "1m",
    };

    /// <summary>One value per variable that selects exactly one request (acme's cached haiku search), and a tenant for the drilldown.</summary>
    private static readonly Dictionary<string, string> Chosen = new()
    {
        ["tenant"] = "acme",
        ["use_case"] = "search",
        ["model"] = "claude-3-5-haiku",
        ["tier"] = "pro", // the tenant drilldown's (Prometheus) $tier; no InfluxDB query reads it
    };

    public static TheoryData<string, string, string> InfluxQueries()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var q in Grafana.Dashboards().SelectMany(Grafana.Queries).Where(q => q.DatasourceType == "influxdb"))
        {
            data.Add(q.Dashboard, q.Panel, q.RefId);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(InfluxQueries))]
    public async Task Panel_query_returns_rows(string dashboard, string panel, string refId)
    {
        Skip.IfNot(log.Available, log.SkipReason);

        var query = Grafana.Queries(dashboard).Single(q => q.Panel == panel && q.RefId == refId);
        foreach (var values in Settings(dashboard))
        {
            var influxql = Grafana.Substitute(query.Text, values);
            var rows = await log.Server.QueryAsync(influxql);
            Assert.True(rows.Count > 0, $"{dashboard} / {panel} / {refId} returned no rows:\n{influxql}");
        }
    }

    [SkippableFact]
    public async Task Template_variables_list_the_logged_tags()
    {
        Skip.IfNot(log.Available, log.SkipReason);

        var expected = new Dictionary<string, string[]>
        {
            ["tenant"] = ["acme", "globex", "hobbyist-1", "initech"],
            ["use_case"] = ["research", "search", "support"],
            ["model"] = ["claude-3-5-haiku", "gpt-4o", "o3-mini", "text-embedding-3-small"],
        };
        var variables = Grafana.Dashboards().SelectMany(Grafana.Variables).Where(v => v.DatasourceType == "influxdb").ToArray();
        Assert.Equal(3, variables.Length);
        foreach (var v in variables)
        {
            var rows = await log.Server.QueryAsync(v.Query);
            Assert.Equal(expected[v.Name], rows.Select(r => r.Values["value"].GetString()!).Order(StringComparer.Ordinal).ToArray());
        }
    }

    [SkippableFact]
    public async Task Request_explorer_totals_are_the_logged_requests_by_hand()
    {
        Skip.IfNot(log.Available, log.SkipReason);

        var queries = Grafana.Queries("request-explorer.json").ToDictionary(q => q.Panel, q => q.Text);
        var all = new Dictionary<string, string>(Macros) { ["tenant"] = ".*", ["use_case"] = ".*", ["model"] = ".*" };
        var one = new Dictionary<string, string>(Macros);
        foreach (var (k, v) in Chosen)
        {
            one[k] = v;
        }

        // 0.0045 + 0.00164 + 0.015 + 0.0143 + 0.02 + 0.00001 + 0.02 + 0.0038
        Assert.Equal(0.07925, await Single(Grafana.Substitute(queries["Cost (selected range)"], all), "sum"), 1e-12);
        Assert.Equal(8, await Single(Grafana.Substitute(queries["Requests (selected range)"], all), "count"));
        Assert.Equal(0.00164, await Single(Grafana.Substitute(queries["Cost (selected range)"], one), "sum"), 1e-12);
        Assert.Equal(1, await Single(Grafana.Substitute(queries["Requests (selected range)"], one), "count"));

        // The table shows the newest first, every contract field filled.
        var latest = await log.Server.QueryAsync(Grafana.Substitute(queries["Latest requests"], all));
        Assert.Equal(8, latest.Count);
        Assert.Equal("req-8", latest[0].Values["request_id"].GetString());
        Assert.Equal(2000, latest.Single(r => r.Values["request_id"].GetString() == "req-4").Values["reasoning_tokens"].GetInt64());
        Assert.Equal("reported", latest.Single(r => r.Values["request_id"].GetString() == "req-4").Values["cost_source"].GetString());
    }

    private static IEnumerable<Dictionary<string, string>> Settings(string dashboard)
    {
        var one = new Dictionary<string, string>(Macros);
        var all = new Dictionary<string, string>(Macros);
        var hasAll = false;
        foreach (var v in Grafana.Variables(dashboard))
        {
            one[v.Name] = Chosen[v.Name];
            hasAll |= v.IncludeAll;
            all[v.Name] = v.IncludeAll ? v.AllValue ?? throw new InvalidOperationException($"{dashboard} ${v.Name}: an InfluxDB 'All' needs an allValue") : Chosen[v.Name];
        }
        return hasAll ? [one, all] : [one];
    }

    private async Task<double> Single(string influxql, string column)
    {
        var rows = await log.Server.QueryAsync(influxql);
        Assert.True(rows.Count == 1, $"{influxql} returned {rows.Count} rows");
        return rows[0].Values[column].GetDouble();
    }
}
