using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Prometheus;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Hosting;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.TestSupport;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;

namespace UnitEconomics.Exporter.Tests;

/// <summary>
/// The price catalog and tenant file every engine test prices with. Made-up model and prices so the
/// money is easy to compute by hand: "acme-model" of provider "example", input $2 and output $8 per
/// million tokens; retrieval per query: the default "vector-search" $0.001, "docs-index" $0.004.
/// Tenant acme is on pro, globex on enterprise.
/// </summary>
internal static class TestCatalog
{
    public const string Provider = "example";
    public const string Model = "acme-model";

    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("exporter-engine-tests-").FullName;
        File.WriteAllText(Path.Combine(folder, "prices.yaml"), """
            models:
              acme-model:
                provider: example
                input: 2
                output: 8
              vector-search:
                per_call: 0.001
              docs-index:
                per_call: 0.004
            """);
        File.WriteAllText(Path.Combine(folder, "tenants.yaml"), """
            tiers:
              pro:
                revenue_per_customer_per_month: 29
              enterprise:
                revenue_per_customer_per_month: 500
            tenants:
              acme:
                tier: pro
              globex:
                tier: enterprise
              initech:
                tier: pro
            """);
        return folder;
    });

    public static string PricesFile => Path.Combine(Folder.Value, "prices.yaml");

    public static string TenantFile => Path.Combine(Folder.Value, "tenants.yaml");
}

/// <summary>The real service (with the real engine unless a test registers its own ingest), on loopback and free ports, with a fresh registry.</summary>
internal sealed class EngineExporter : IAsyncDisposable
{
    private bool stopped;

    private EngineExporter(WebApplication app, ExporterMetrics metrics, int grpc, int http, int metricsPort)
    {
        this.App = app;
        this.Metrics = metrics;
        this.GrpcUri = new Uri($"http://127.0.0.1:{grpc}");
        this.HttpUri = new Uri($"http://127.0.0.1:{http}");
        this.MetricsUri = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
    }

    public WebApplication App { get; }

    public ExporterMetrics Metrics { get; }

    public Uri GrpcUri { get; }

    public Uri HttpUri { get; }

    public Uri TracesUri => new(this.HttpUri, "/v1/traces");

    public Uri MetricsUri { get; }

    public EngineTraceIngest Ingest => this.App.Services.GetRequiredService<EngineTraceIngest>();

    /// <summary>Starts the service; <paramref name="settings"/> are full configuration keys ("Exporter:Ingest:Workers=2").</summary>
    public static async Task<EngineExporter> StartAsync(string[]? settings = null, Action<IServiceCollection>? services = null)
    {
        // A free port can be taken by another process between the probe and the bind: try fresh ones.
        for (var attempt = 1; ; attempt++)
        {
            int grpc = ExternalBinary.FreePort(), http = ExternalBinary.FreePort(), metricsPort = ExternalBinary.FreePort();
            string[] args =
            [
                "--Exporter:ListenAddress=127.0.0.1",
                $"--Exporter:OtlpGrpcPort={grpc}",
                $"--Exporter:OtlpHttpPort={http}",
                $"--Exporter:MetricsPort={metricsPort}",
                "--Logging:LogLevel:Default=Warning",
                "--UnitEconomics:UseDefaultCatalog=false",
                "--UnitEconomics:PriceCatalogs:0=" + TestCatalog.PricesFile,
                "--UnitEconomics:TenantFile=" + TestCatalog.TenantFile,
                .. (settings ?? []).Select(s => "--" + s),
            ];
            var metrics = new ExporterMetrics(Prometheus.Metrics.NewCustomRegistry());
            var app = ExporterHost.Build(args, s =>
            {
                s.AddSingleton(metrics);
                services?.Invoke(s);
            });
            try
            {
                await app.StartAsync();
                return new EngineExporter(app, metrics, grpc, http, metricsPort);
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    public double RequestsRejected(string reason) => this.Metrics.RequestsRejected.WithLabels(reason).Value;

    public double Requests(string protocol, string outcome) => this.Metrics.Requests.WithLabels(protocol, outcome).Value;

    /// <summary>Scrapes /metrics over HTTP.</summary>
    public async Task<Scrape> ScrapeAsync()
    {
        using var client = new HttpClient();
        return Scrape.Parse(await client.GetStringAsync(this.MetricsUri));
    }

    /// <summary>Reads the registry directly (after the host has stopped and /metrics is gone).</summary>
    public async Task<Scrape> CollectAsync()
    {
        using var stream = new MemoryStream();
        await this.Metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Scrape.Parse(Encoding.UTF8.GetString(stream.ToArray()));
    }

    public async Task StopAsync()
    {
        if (!this.stopped)
        {
            this.stopped = true;
            await this.App.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await this.StopAsync();
        await this.App.DisposeAsync();
    }
}

/// <summary>A Prometheus text exposition, parsed: series name → label set → value.</summary>
internal sealed partial class Scrape
{
    private Scrape(List<(string Name, Dictionary<string, string> Labels, double Value)> series)
    {
        this.Series = series;
    }

    public IReadOnlyList<(string Name, Dictionary<string, string> Labels, double Value)> Series { get; }

    public static Scrape Parse(string text)
    {
        var series = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SeriesLine().Match(line);
            Assert.True(match.Success, "unparsable line: " + line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups[1].Value] = label.Groups[2].Value;
            }

            series.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return new Scrape(series);
    }

    /// <summary>The sum of every series of <paramref name="name"/> carrying all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        this.Series.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>Money as a decimal, rounded past double's noise: exact against a hand-computed literal.</summary>
    public decimal Money(string name, params (string Key, string Value)[] labels) => Math.Round((decimal)this.Sum(name, labels), 10);

    /// <summary>Every series of the families named, "name{k=v,...}" → value, for comparing instances.</summary>
    public Dictionary<string, double> Families(params string[] names) =>
        this.Series.Where(s => names.Contains(s.Name))
            .ToDictionary(s => s.Name + "{" + string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + (s.Labels.TryGetValue("le", out var le) ? ",le=" + le : string.Empty) + "}", s => s.Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex(""""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"""")]
    private static partial Regex LabelPair();
}

/// <summary>
/// Copies tenant and use case from W3C baggage onto each span as it starts, as apps do (baggage is not
/// exported over OTLP; the contrib BaggageActivityProcessor does the same). The service then sees them.
/// </summary>
internal sealed class BaggageToTags : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        foreach (var key in new[] { "tenant.id", "ai.use_case" })
        {
            if (data.GetTagItem(key) is null && data.GetBaggageItem(key) is { } value)
            {
                data.SetTag(key, value);
            }
        }
    }
}

/// <summary>Hand-built OTLP spans with GenAI attributes (protobuf; <see cref="OtlpJson"/> writes the same as JSON).</summary>
internal static class GenAiSpans
{
    private static long next = 0x1000;

    public static byte[] NewTraceId()
    {
        var id = new byte[16];
        Random.Shared.NextBytes(id);
        id[0] |= 1;
        return id;
    }

    public static byte[] NewSpanId()
    {
        var id = BitConverter.GetBytes(Interlocked.Increment(ref next));
        id[7] = 0x5A;
        return id;
    }

    public static ProtoSpan Span(string name, byte[] traceId, byte[] spanId, byte[]? parent, ulong endNanos, params (string Key, object Value)[] attributes)
    {
        var span = new ProtoSpan
        {
            Name = name,
            TraceId = ByteString.CopyFrom(traceId),
            SpanId = ByteString.CopyFrom(spanId),
            ParentSpanId = parent is null ? ByteString.Empty : ByteString.CopyFrom(parent),
            StartTimeUnixNano = endNanos - 500_000_000,
            EndTimeUnixNano = endNanos,
        };
        foreach (var (key, value) in attributes)
        {
            span.Attributes.Add(new KeyValue
            {
                Key = key,
                Value = value switch
                {
                    string s => new AnyValue { StringValue = s },
                    long l => new AnyValue { IntValue = l },
                    int i => new AnyValue { IntValue = i },
                    bool b => new AnyValue { BoolValue = b },
                    _ => throw new ArgumentException(key),
                },
            });
        }

        return span;
    }

    public static ProtoSpan Chat(byte[] traceId, byte[]? parent, ulong endNanos, string tenant, string useCase, long input, long output) =>
        Span("chat " + TestCatalog.Model, traceId, NewSpanId(), parent, endNanos,
            ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", TestCatalog.Provider), ("gen_ai.request.model", TestCatalog.Model),
            ("gen_ai.response.model", TestCatalog.Model), ("gen_ai.usage.input_tokens", input), ("gen_ai.usage.output_tokens", output),
            ("tenant.id", tenant), ("ai.use_case", useCase));

    /// <summary>
    /// The agent task of <see cref="AgentScenario"/> as spans: an <c>invoke_agent</c> root (returned
    /// separately), planning call, three <c>execute_tool</c> spans each with a model call under it, retry
    /// and synthesis: 14,500 tokens in 6 model calls. <paramref name="parentOfRoot"/> hangs the task under
    /// an outer span (an HTTP request span) when given.
    /// </summary>
    public static (List<ProtoSpan> Children, ProtoSpan Root) AgentTask(byte[] traceId, string tenant, string useCase, string agent = "researcher", byte[]? parentOfRoot = null)
    {
        var rootId = NewSpanId();
        var t = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var children = new List<ProtoSpan>();
        var calls = AgentScenario.TaskCalls;
        children.Add(Chat(traceId, rootId, t + 1_000_000_000, tenant, useCase, calls[0].Input, calls[0].Output));
        for (var i = 1; i <= 3; i++)
        {
            var toolId = NewSpanId();
            var end = t + ((ulong)i + 1) * 1_000_000_000;
            children.Add(Chat(traceId, toolId, end - 100_000_000, tenant, useCase, calls[i].Input, calls[i].Output));
            children.Add(Span("execute_tool web_search", traceId, toolId, rootId, end, ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "web_search")));
        }

        children.Add(Chat(traceId, rootId, t + 5_000_000_000, tenant, useCase, calls[4].Input, calls[4].Output));
        children.Add(Chat(traceId, rootId, t + 6_000_000_000, tenant, useCase, calls[5].Input, calls[5].Output));
        var root = Span("invoke_agent " + agent, traceId, rootId, parentOfRoot, t + 7_000_000_000,
            ("gen_ai.operation.name", "invoke_agent"), ("gen_ai.agent.name", agent), ("tenant.id", tenant), ("ai.use_case", useCase));
        return (children, root);
    }

    public static OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest Request(IEnumerable<ProtoSpan> spans, string service = "agent-app")
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "tests" } };
        scope.Spans.AddRange(spans);
        var resourceSpans = new ResourceSpans { Resource = new Resource() };
        resourceSpans.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } });
        resourceSpans.ScopeSpans.Add(scope);
        var request = new OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }
}
