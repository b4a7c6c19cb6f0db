using System.CommandLine;
using System.Globalization;
using Prometheus;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Serving;
using UnitEconomics.Cli.Simulation;
using UnitEconomics.Otel.InfluxDB.Sink;

namespace UnitEconomics.Cli.Commands;

/// <summary><c>ue demo</c>: the simulated SaaS through the real pipeline, then the report; or, with <c>--serve</c>, live.</summary>
internal static class DemoCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var days = CommonOptions.Int("--days", 30, 1, "Simulated days");
        var seed = CommonOptions.Int("--seed", 42, int.MinValue, "Random seed (the same seed gives the same report)");
        var start = CommonOptions.Date("--start", "First simulated day, UTC (default 2026-10-01)");
        var tenants = CommonOptions.Tenants();
        var catalogs = CommonOptions.Catalogs();
        var format = CommonOptions.Format();
        var output = CommonOptions.Out();
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar" };
        var focus = CommonOptions.Out("--focus");
        focus.HelpName = "FILE";
        focus.Description = "Also write the simulated AI cost as FOCUS 1.2 rows to this file (.parquet: Parquet, else CSV; docs/focus.md)";
        var serve = new Option<bool>("--serve") { Description = "Serve live traffic in real time on /metrics and /report instead of printing a report" };
        var listen = new Option<string?>("--listen")
        {
            Description = "With --serve: ADDRESS:PORT to listen on (default 127.0.0.1:9465; 0.0.0.0:9465 lets a Prometheus in a container scrape it)",
            HelpName = "ADDRESS:PORT",
        };
        var port = new Option<int?>("--port")
        {
            Description = "With --serve: port on 127.0.0.1 (0: any free port); --listen gives address and port together",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535)
                {
                    return p;
                }

                result.AddError($"--port takes a port number from 0 to 65535, not '{text}'");
                return null;
            },
        };
        var rate = new Option<double>("--rate")
        {
            Description = "With --serve: user requests per second",
            DefaultValueFactory = _ => 20,
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 && double.IsFinite(r))
                {
                    return r;
                }

                result.AddError($"--rate takes a positive number of user requests per second, not '{text}'");
                return 20;
            },
        };
        var stopAfter = CommonOptions.Int("--stop-after", 0, 0, "With --serve: stop traffic after N requests and keep serving (0: never)");
        var influx = new Option<string?>("--influx") { Description = "With --serve: InfluxDB URL for the per-request event log", HelpName = "URL" };
        var influxDb = new Option<string>("--influx-db") { Description = "With --serve: InfluxDB database", DefaultValueFactory = _ => "unit_economics" };
        var simpleTokens = CommonOptions.Int("--routing-max-input-tokens", 2_000, 0, "Model routing sizes single-shot calls with at most this many input tokens (the routing rule)");
        var savings = new SavingsOptions();
        var stripeExport = new Option<string?>("--stripe-export")
        {
            Description = "Write the tenants' subscriptions as Stripe returns them (subscriptions.json) and a tenant file reading them (tenants.yaml) into this folder, then run from that file",
            HelpName = "FOLDER",
        };

        var bills = new Option<string?>("--bills")
        {
            Description = "Also write the month's provider bills (OpenAI and Anthropic admin API responses) to this folder, for ue reconcile --demo",
            HelpName = "FOLDER",
        };

        var command = new Command("demo", "Simulate a multi-tenant AI SaaS through the real pipeline and print the unit-economics report")
        {
            days, seed, start, tenants, catalogs, format, output, quiet, focus, serve, listen, port, rate, stopAfter, influx, influxDb, simpleTokens, stripeExport, bills,
        };
        foreach (var option in savings.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancel) =>
        {
            var tenantFile = parse.GetValue(tenants);
            if (parse.GetValue(stripeExport) is { } exportFolder)
            {
                tenantFile = StripeExportWriter.Write(Otel.Tenants.TenantDirectory.Load(tenantFile ?? DemoSettings.ShippedTenantFile), exportFolder);
            }

            if (parse.GetValue(serve))
            {
                var endpoint = ListenAddress.Parse(parse.GetValue(listen), parse.GetValue(port));
                var influxUrl = parse.GetValue(influx);
                var live = new DemoSettings
                {
                    Seed = parse.GetValue(seed),
                    TenantFile = tenantFile,
                    Catalogs = CommonOptions.CatalogFiles(parse.GetValue(catalogs)),
                    SimulatedTime = false,
                    Registry = Metrics.NewCustomRegistry(),
                    Routing = new RoutingRule(parse.GetValue(simpleTokens)),
                    ReportOptions = savings.Read(parse),
                    Influx = influxUrl is null ? null : new InfluxDbOptions { Url = ParseUrl("--influx", influxUrl), Database = parse.GetValue(influxDb)! },
                };
                return await ServeAsync(live, endpoint, parse.GetValue(rate), parse.GetValue(stopAfter), stdout, cancel);
            }

            var focusFile = parse.GetValue(focus);
            var settings = new DemoSettings
            {
                ExtraSinks = focusFile is null ? [] : [new Books.Focus.Export.FocusRollup()],
                Days = parse.GetValue(days),
                Seed = parse.GetValue(seed),
                StartUtc = parse.GetValue(start) ?? new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc),
                TenantFile = tenantFile,
                Catalogs = CommonOptions.CatalogFiles(parse.GetValue(catalogs)),
                Routing = new RoutingRule(parse.GetValue(simpleTokens)),
                ReportOptions = savings.Read(parse),
            };
            var billFolder = parse.GetValue(bills);
            if (billFolder is not null)
            {
                settings = DemoBillsRun.WithLedger(settings);
            }

            var code = await RunAsync(settings, CommonOptions.ToReportFormat(parse.GetValue(format)!), parse.GetValue(output), parse.GetValue(quiet), stdout, stderr, focusFile);
            if (billFolder is not null)
            {
                await DemoBillsRun.WriteAsync(settings, billFolder, stderr);
            }

            return code;
        });
        return command;
    }

    private static async Task<int> RunAsync(DemoSettings settings, ReportFormat format, string? output, bool quiet, TextWriter stdout, TextWriter stderr, string? focusFile)
    {
        await using var demo = DemoEnvironment.Create(settings);
        var progress = new ProgressBar(stderr, enabled: !quiet);
        await demo.RunAsync(progress.Update);
        progress.Done($"{demo.Simulator.Requests:N0} user requests from {demo.Directory.TenantCount} tenants over {settings.Days} simulated days");
        var report = demo.Report(settings.StartUtc, settings.StartUtc.AddDays(settings.Days), "demo (in-process rollup)");
        await ReportOutput.WriteAsync(report, format, output, stdout);
        if (focusFile is not null)
        {
            var rollup = settings.ExtraSinks.OfType<Books.Focus.Export.FocusRollup>().Single();
            await Focus.FocusExportCommand.WriteDemoAsync(rollup, settings.StartUtc, settings.StartUtc.AddDays(settings.Days), focusFile, stderr);
        }

        return 0;
    }

    private static async Task<int> ServeAsync(DemoSettings settings, ListenAddress endpoint, double rate, int stopAfter, TextWriter stdout, CancellationToken cancel)
    {
        await using var demo = DemoEnvironment.Create(settings);
        await using var server = DemoServer.Start(demo, endpoint);
        stdout.WriteLine($"demo serving http://{endpoint.DisplayHost}:{server.Port}/metrics and /report (json); {rate} user requests/s{(stopAfter > 0 ? $", stopping traffic after {stopAfter}" : string.Empty)}; Ctrl+C to stop");
        await server.RunTrafficAsync(rate, stopAfter, cancel);
        return 0;
    }

    private static Uri ParseUrl(string option, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UsageException($"{option} takes an http(s) URL, not '{text}'");
}
