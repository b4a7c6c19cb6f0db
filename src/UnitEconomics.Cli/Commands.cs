using System.Text;
using Prometheus;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Serving;
using UnitEconomics.Cli.Simulation;
using UnitEconomics.Otel.InfluxDB.Sink;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli;

/// <summary>The command-line verbs: <c>demo</c>, <c>report</c>, <c>catalog</c>.</summary>
public static class Commands
{
    public const string Usage = """
        usage:
          ue demo [--days 30] [--seed 42] [--start 2026-10-01] [--tenants FILE] [--catalog FILE]...
                  [--format table|markdown|csv|json] [--out FILE]
          ue demo --serve [--port 9465] [--rate 20] [--stop-after N] [--influx URL --influx-db NAME]
          ue report --prometheus URL [--window 30d | --from DATE --to DATE] [--tenants FILE]
                  [--format table|markdown|csv|json] [--out FILE]
          ue catalog check FILE...
          ue catalog price MODEL [--provider NAME] [--catalog FILE]
        """;

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "serve", "quiet" };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var cmd = new CommandLine(args.Skip(1), Flags);
        return args[0] switch
        {
            "demo" => cmd.Flag("serve") ? await ServeAsync(cmd, stdout, cancel) : await DemoAsync(cmd, stdout, stderr),
            "report" => await ReportAsync(cmd, stdout, cancel),
            "catalog" => Catalog(cmd, stdout),
            _ => throw new UsageException($"unknown command '{args[0]}'"),
        };
    }

    private static async Task<int> DemoAsync(CommandLine cmd, TextWriter stdout, TextWriter stderr)
    {
        var settings = new DemoSettings
        {
            Days = cmd.Int("days", 30, min: 1),
            Seed = cmd.Int("seed", 42),
            StartUtc = cmd.Date("start") ?? new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc),
            TenantFile = cmd.String("tenants"),
            Catalogs = CatalogFiles(cmd),
        };
        var format = Format(cmd);
        var output = cmd.String("out");
        var quiet = cmd.Flag("quiet");
        cmd.RejectUnknown();

        await using var demo = DemoEnvironment.Create(settings);
        var progress = new ProgressBar(stderr, enabled: !quiet);
        await demo.RunAsync(progress.Update);
        progress.Done($"{demo.Simulator.Requests:N0} requests from {demo.Directory.TenantCount} tenants over {settings.Days} simulated days");
        var report = demo.Report(settings.StartUtc, settings.StartUtc.AddDays(settings.Days), "demo (in-process rollup)");
        await WriteAsync(ReportRenderer.Render(report, format), output, stdout);
        return 0;
    }

    private static async Task<int> ServeAsync(CommandLine cmd, TextWriter stdout, CancellationToken cancel)
    {
        var port = cmd.Int("port", 9465, min: 0);
        var rate = cmd.Double("rate", 20);
        var stopAfter = cmd.Int("stop-after", 0, min: 0);
        var influxUrl = cmd.String("influx");
        var influxDb = cmd.String("influx-db") ?? "unit_economics";
        var settings = new DemoSettings
        {
            Seed = cmd.Int("seed", 42),
            TenantFile = cmd.String("tenants"),
            Catalogs = CatalogFiles(cmd),
            SimulatedTime = false,
            Registry = Metrics.NewCustomRegistry(),
            Influx = influxUrl is null ? null : new InfluxDbOptions { Url = new Uri(influxUrl), Database = influxDb },
        };
        cmd.RejectUnknown();

        await using var demo = DemoEnvironment.Create(settings);
        await using var server = DemoServer.Start(demo, port);
        stdout.WriteLine($"demo serving http://127.0.0.1:{server.Port}/metrics and /report (json); {rate} requests/s{(stopAfter > 0 ? $", stopping traffic after {stopAfter}" : string.Empty)}; Ctrl+C to stop");
        await server.RunTrafficAsync(rate, stopAfter, cancel);
        return 0;
    }

    private static async Task<int> ReportAsync(CommandLine cmd, TextWriter stdout, CancellationToken cancel)
    {
        var url = cmd.String("prometheus") ?? throw new UsageException("report needs --prometheus URL (the demo prints its own report: ue demo)");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var prometheus) || prometheus.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--prometheus takes an http(s) URL, not '{url}'");
        }

        var to = cmd.Date("to") ?? DateTime.UtcNow;
        var from = cmd.Date("from") ?? to - (cmd.Duration("window") ?? TimeSpan.FromDays(30));
        if (from >= to)
        {
            throw new UsageException("--from must be before --to");
        }

        var tenantFile = cmd.String("tenants");
        var catalogs = CatalogFiles(cmd);
        var format = Format(cmd);
        var output = cmd.String("out");
        cmd.RejectUnknown();

        var directory = tenantFile is null ? null : TenantDirectory.Load(tenantFile);
        using var source = new PrometheusReportSource(prometheus);
        var inputs = await source.LoadAsync(from, to, directory, cancel);
        var report = ReportBuilder.Build(inputs, PriceCatalog.LoadDefaultAnd([.. catalogs]));
        await WriteAsync(ReportRenderer.Render(report, format), output, stdout);
        return 0;
    }

    private static int Catalog(CommandLine cmd, TextWriter stdout)
    {
        var verb = cmd.Positional.FirstOrDefault() ?? throw new UsageException("catalog needs a verb: check or price");
        if (verb == "check")
        {
            var files = cmd.Positional.Skip(1).ToArray();
            cmd.RejectUnknown();
            if (files.Length == 0)
            {
                throw new UsageException("catalog check needs at least one file");
            }

            var catalog = PriceCatalog.Load(files);
            foreach (var file in catalog.Report.Files)
            {
                stdout.WriteLine($"{file.File}: {file.Format}, {file.Loaded} entries loaded, {file.Skipped.Count} skipped");
                foreach (var (reason, count) in file.Skipped.GroupBy(e => e.Reason, StringComparer.Ordinal).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2))
                {
                    stdout.WriteLine($"  skipped {count}: {reason}");
                }
            }

            return 0;
        }

        if (verb == "price")
        {
            var model = cmd.Positional.ElementAtOrDefault(1) ?? throw new UsageException("catalog price needs a model name");
            var provider = cmd.String("provider");
            var catalog = PriceCatalog.LoadDefaultAnd([.. CatalogFiles(cmd)]);
            cmd.RejectUnknown();
            if (!catalog.TryResolve(provider, model, DateTimeOffset.UtcNow, out var price))
            {
                stdout.WriteLine($"{model}: no price (calls to it would be counted in ai_unpriced_requests_total)");
                return 1;
            }

            var s = price.Standard;
            stdout.WriteLine($"{model} → entry '{price.Id}' ({price.Provider ?? "any provider"}), USD per million tokens:");
            stdout.WriteLine($"  input {s.Input}  cached_input {s.CachedInput}  cache_write {s.CacheWrite}  output {s.Output}  reasoning {s.Reasoning}  per_call {s.PerCall}");
            if (price.Batch is { } b)
            {
                stdout.WriteLine($"  batch: input {b.Input}  output {b.Output}");
            }

            foreach (var tier in price.Tiers)
            {
                stdout.WriteLine($"  above {tier.AboveInputTokens:N0} input tokens: input {tier.Prices.Input}  output {tier.Prices.Output}");
            }

            stdout.WriteLine($"  source: {price.Source ?? "(none)"}");
            return 0;
        }

        throw new UsageException($"unknown catalog verb '{verb}'");
    }

    private static List<string> CatalogFiles(CommandLine cmd) => cmd.String("catalog") is { } file ? [.. file.Split(',', StringSplitOptions.RemoveEmptyEntries)] : [];

    private static ReportFormat Format(CommandLine cmd) => cmd.String("format") switch
    {
        null or "table" => ReportFormat.Table,
        "markdown" or "md" => ReportFormat.Markdown,
        "csv" => ReportFormat.Csv,
        "json" => ReportFormat.Json,
        var other => throw new UsageException($"--format is table, markdown, csv or json, not '{other}'"),
    };

    private static async Task WriteAsync(string text, string? path, TextWriter stdout)
    {
        if (path is null)
        {
            await stdout.WriteAsync(text);
            return;
        }

        await File.WriteAllTextAsync(path, text, Encoding.UTF8);
    }
}

/// <summary>A progress bar on standard error, redrawn in place.</summary>
internal sealed class ProgressBar(TextWriter output, bool enabled)
{
    public void Update(int done, int total)
    {
        if (!enabled)
        {
            return;
        }

        const int width = 30;
        var filled = (int)Math.Round(width * (double)done / total);
        output.Write($"\rsimulating [{new string('#', filled)}{new string('.', width - filled)}] day {done}/{total}");
    }

    public void Done(string summary)
    {
        if (enabled)
        {
            output.WriteLine();
            output.WriteLine(summary);
            output.WriteLine();
        }
    }
}
