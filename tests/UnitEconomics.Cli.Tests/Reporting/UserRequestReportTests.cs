using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Tests.Support;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Tenants;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

/// <summary>
/// Cost per user request and per RAG query (DESIGN §7a) on spans whose money is worked out by hand,
/// through the real SDK and the engine into the report's rollup, and in every output format.
/// </summary>
[Collection(InProcessDemoCollection.Name)]
public sealed class UserRequestReportTests
{
    private static readonly DateTime From = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly PriceCatalog Catalog = new(
    [
        new ModelPrice { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10m } },
        new ModelPrice { Id = "text-embedding-3-small", Provider = "openai", Standard = new PriceSet { Input = 0.02m } },
        new ModelPrice { Id = "vector-search", Standard = new PriceSet { PerCall = 0.001m } },
    ]);

    [Fact]
    public void Cost_per_user_request_by_shape_and_per_rag_query_by_hand()
    {
        var report = Run(source =>
        {
            // Two RAG queries: embedding 1,000 × 0.02/M = 0.00002, vector search 0.001 a call, then
            //   gpt-4o 2,000 × 2.50/M + 500 × 10/M = 0.005 + 0.005 = 0.01    → 0.01102
            //   gpt-4o 1,000 × 2.50/M + 100 × 10/M = 0.0025 + 0.001 = 0.0035 → 0.00452
            // together 0.01554 over 2 queries: 0.00777 a query.
            Request(source, "search", () => { Embed(source); Retrieve(source); Chat(source, 2_000, 500); });
            Request(source, "search", () => { Embed(source); Retrieve(source); Chat(source, 1_000, 100); });

            // A semantic-cache hit: the embedding (0.00002) and the free lookup, no inference: shape other.
            Request(source, "search", () => { Embed(source); Span(source, "semantic_cache lookup", ("ai.cache.hit", true)); });

            // One answer: 1,000 × 2.50/M + 100 × 10/M = 0.0035, a single shot.
            Request(source, "support", () => Chat(source, 1_000, 100));

            // An agent task of two such completions: 2 × 0.0035 = 0.007.
            Request(source, "support", () =>
            {
                using var agent = source.StartActivity("invoke_agent support-agent")!;
                agent.SetTag("gen_ai.operation.name", "invoke_agent");
                agent.SetTag("gen_ai.agent.name", "support-agent");
                Chat(source, 1_000, 100);
                Chat(source, 1_000, 100);
            });
        });

        Assert.Equal(
            [
                new UserRequestRow("search", RequestShape.Rag, 2, 0.01554m, 0.00777m),
                new UserRequestRow("search", RequestShape.Other, 1, 0.00002m, 0.00002m),
                new UserRequestRow("support", RequestShape.Agent, 1, 0.007m, 0.007m),
                new UserRequestRow("support", RequestShape.SingleShot, 1, 0.0035m, 0.0035m),
            ],
            report.UserRequests);
        Assert.Equal([new RagQueryRow("search", 2, 0.01554m, 0.00777m)], report.RagQueries);
        // Every call ran under one of the requests: they add up to the total.
        Assert.Equal(report.TotalCost, report.UserRequests.Sum(r => r.Cost));

        // Money as in the other tables: four significant digits below $1 (0.00777 → $0.007770).
        var markdown = ReportRenderer.Render(report, ReportFormat.Markdown);
        Assert.Contains("| search | rag | 2 | $0.01554 | $0.007770 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| support | agent | 1 | $0.007000 | $0.007000 |", markdown, StringComparison.Ordinal);
        Assert.Contains("## Cost per RAG query", markdown, StringComparison.Ordinal);
        Assert.Contains("| search | 2 | $0.01554 | $0.007770 |", markdown, StringComparison.Ordinal);

        var csv = ReportCsv.Tables(report).ToDictionary(t => t.Name, t => t.Csv, StringComparer.Ordinal);
        Assert.Equal("use_case,shape,requests,cost_usd,cost_per_request_usd\nsearch,rag,2,0.01554,0.00777\nsearch,other,1,0.00002,0.00002\n"
            + "support,agent,1,0.007,0.007\nsupport,single_shot,1,0.0035,0.0035\n", csv["user_requests"]);
        Assert.Equal("use_case,rag_queries,cost_usd,cost_per_rag_query_usd\nsearch,2,0.01554,0.00777\n", csv["rag_queries"]);

        var back = ReportRenderer.FromJson(ReportRenderer.Render(report, ReportFormat.Json))!;
        Assert.Equal(3, back.SchemaVersion);
        Assert.Equal(report.UserRequests, back.UserRequests);
        Assert.Equal(report.RagQueries, back.RagQueries);
    }

    [Fact]
    public void A_series_that_did_not_grow_in_the_window_is_no_row()
    {
        // From Prometheus a (use case, shape) seen before the window reads as 0 requests: nothing to divide.
        var inputs = new ReportInputs { FromUtc = From, ToUtc = From.AddDays(1), Source = "test", Directory = TenantDirectory.Empty };
        inputs.UserRequests[("search", RequestShape.Rag)] = new RequestTotals();
        inputs.UserRequests[("search", RequestShape.SingleShot)] = new RequestTotals { Requests = 4, Cost = 0.02m };
        var report = ReportBuilder.Build(inputs, PriceCatalog.Empty);
        Assert.Equal([new UserRequestRow("search", RequestShape.SingleShot, 4, 0.02m, 0.005m)], report.UserRequests); // 0.02 ÷ 4
        Assert.Empty(report.RagQueries);
        Assert.Contains("COST PER RAG QUERY", ReportRenderer.Render(report, ReportFormat.Table), StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="emit"/>'s spans through the real SDK and the engine into the rollup, and reports on them.</summary>
    private static UnitEconomicsReport Run(Action<ActivitySource> emit)
    {
        using var source = new ActivitySource("user-request-report-tests-" + Guid.NewGuid().ToString("N"));
        var rollup = new CostRollup();
        var engine = new CostEngine(new UnitEconomicsOptions { InlinePricing = true }, () => Catalog, () => TenantDirectory.Empty, [rollup]);
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(source.Name).AddUnitEconomics(engine).Build()!)
        {
            emit(source);
            tracing.ForceFlush();
        }

        return ReportBuilder.Build(ReportInputs.FromRollup(rollup, TenantDirectory.Empty, From, From.AddDays(30), "test"), Catalog);
    }

    /// <summary>One user request: a server span carrying the use case as baggage, as an app's endpoint does.</summary>
    private static void Request(ActivitySource source, string useCase, Action calls)
    {
        using var root = source.StartActivity("POST /api/" + useCase, ActivityKind.Server)!;
        root.AddBaggage("ai.use_case", useCase);
        calls();
    }

    private static void Embed(ActivitySource source) =>
        Span(source, "embeddings", ("gen_ai.operation.name", "embeddings"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "text-embedding-3-small"), ("gen_ai.usage.input_tokens", 1_000L));

    private static void Retrieve(ActivitySource source) =>
        Span(source, "retrieval vector-search", ("gen_ai.operation.name", "retrieval"), ("gen_ai.request.model", "vector-search"));

    private static void Chat(ActivitySource source, long input, long output) =>
        Span(source, "chat gpt-4o", ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "gpt-4o"),
            ("gen_ai.usage.input_tokens", input), ("gen_ai.usage.output_tokens", output));

    private static void Span(ActivitySource source, string name, params (string Key, object Value)[] tags)
    {
        using var span = source.StartActivity(name)!;
        foreach (var (key, value) in tags)
        {
            span.SetTag(key, value);
        }
    }
}
