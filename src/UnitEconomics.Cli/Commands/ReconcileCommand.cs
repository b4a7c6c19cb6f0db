using System.CommandLine;
using System.Globalization;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Simulation;

namespace UnitEconomics.Cli.Commands;

/// <summary><c>ue reconcile</c>: the providers' bills against the engine's estimates (DESIGN §9, docs/reconciliation.md).</summary>
internal static class ReconcileCommand
{
    public static Command Build(TextWriter stdout)
    {
        var prometheus = new Option<string?>("--prometheus") { Description = "Estimates from this Prometheus (exact counter deltas per UTC day)", HelpName = "URL" };
        var demo = new Option<bool>("--demo") { Description = "Estimates from the demo (run in process; its month is the window): reconcile the bills ue demo --bills wrote" };
        var days = CommonOptions.Int("--days", 30, 1, "With --demo: simulated days (as given to ue demo --bills)");
        var seed = CommonOptions.Int("--seed", 42, int.MinValue, "With --demo: random seed (as given to ue demo --bills)");
        var start = CommonOptions.Date("--start", "With --demo: first simulated day, UTC (default 2026-10-01)");
        var window = CommonOptions.Duration("--window", "Whole UTC days ending at --to (default 7d; saved bills: the days they cover)");
        var from = CommonOptions.Date("--from", "First UTC day of the window");
        var to = CommonOptions.Date("--to", "End of the window, a UTC midnight, exclusive (default today 00:00 UTC)");
        var billOptions = new BillOptions();
        var pushgateway = new Option<string?>("--pushgateway") { Description = "Push the ai_billing_* gauges to this Pushgateway (job ue_reconcile)", HelpName = "URL" };
        var job = new Option<string>("--pushgateway-job") { Description = "The Pushgateway job name", DefaultValueFactory = _ => BillingGaugePusher.DefaultJob };
        var catalogs = CommonOptions.Catalogs();
        var tenants = CommonOptions.Tenants();
        var format = new Option<string>("--format")
        {
            Description = "Output format: table, markdown, csv (one tidy table) or json",
            HelpName = "table|markdown|csv|json",
            DefaultValueFactory = _ => "table",
            CustomParser = result => result.Tokens.Single().Value is var f && f is "table" or "markdown" or "csv" or "json" ? f : Fail(result, "--format is table, markdown, csv or json"),
        };
        var output = CommonOptions.Out();
        output.Description = "Write to this file instead of standard output";

        var command = new Command("reconcile", "Hold the providers' bills (OpenAI, Anthropic) against the estimates: per provider, UTC day and model, a verdict")
        {
            prometheus, demo, days, seed, start, window, from, to, pushgateway, job, catalogs, tenants, format, output,
        };
        billOptions.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var useDemo = parse.GetValue(demo);
            var prometheusUrl = parse.GetValue(prometheus);
            if (useDemo == (prometheusUrl is not null))
            {
                throw new UsageException("reconcile takes its estimates from --prometheus URL or --demo (one of them)");
            }

            var bills = billOptions.Sources(parse);
            if (bills.Count == 0)
            {
                throw new UsageException("reconcile needs a bill: --openai-costs/--openai-usage, --openai-admin-key-env, or the anthropic ones");
            }

            var end = parse.GetValue(to);
            var begin = parse.GetValue(from);
            if (begin is null && parse.GetValue(window) is { } span)
            {
                begin = ((end ?? DateTime.UtcNow.Date) - span).Date;
            }

            var settings = new ReconcileSettings
            {
                Bills = bills,
                Prometheus = prometheusUrl is null ? null : Url("--prometheus", prometheusUrl),
                Demo = useDemo
                    ? new DemoSettings
                    {
                        Days = parse.GetValue(days), Seed = parse.GetValue(seed), TenantFile = parse.GetValue(tenants),
                        StartUtc = parse.GetValue(start) ?? new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc),
                        Catalogs = CommonOptions.CatalogFiles(parse.GetValue(catalogs)),
                    }
                    : null,
                FromUtc = begin?.Date,
                ToUtc = end?.Date,
                Tolerance = billOptions.Tolerance(parse),
                Catalogs = CommonOptions.CatalogFiles(parse.GetValue(catalogs)),
            };
            var pushTo = parse.GetValue(pushgateway) is { } push ? Url("--pushgateway", push) : null;
            var result = await ReconcileRunner.RunAsync(settings, cancel: cancel);
            var text = parse.GetValue(format) switch
            {
                "json" => ReconciliationRenderer.ToJson(result),
                "csv" => ReconciliationRenderer.ToCsv(result),
                var f => ReconciliationRenderer.ToText(result, markdown: f == "markdown"),
            };
            if (parse.GetValue(output) is { } path)
            {
                await System.IO.File.WriteAllTextAsync(path, text, ReportOutput.Utf8, cancel);
            }
            else
            {
                await stdout.WriteAsync(text);
            }

            // After the output, so a run whose push fails still leaves its table in the job's log.
            if (pushTo is not null)
            {
                await BillingGaugePusher.PushAsync(pushTo, result, parse.GetValue(job)!, cancel: cancel);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The report's reconciliation section: the bills its options name over the report window's whole UTC days; null without bills.</summary>
    public static async Task<ReconciliationResult?> ForReportAsync(BillOptions options, ParseResult parse, Uri prometheus, DateTime start, DateTime end, IReadOnlyList<string> catalogs, CancellationToken cancel)
    {
        var bills = options.Sources(parse);
        if (bills.Count == 0)
        {
            return null;
        }

        var from = start == start.Date ? start : start.Date.AddDays(1);
        if (from >= end.Date)
        {
            throw new UsageException("bills are reconciled by whole UTC days, and the report's window holds none: widen --window or --from/--to");
        }

        return await ReconcileRunner.RunAsync(
            new ReconcileSettings { Bills = bills, Prometheus = prometheus, FromUtc = from, ToUtc = end.Date, Tolerance = options.Tolerance(parse), Catalogs = catalogs },
            cancel: cancel);
    }

    private static string Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError($"{message}, not '{result.Tokens.Single().Value}'");
        return "table";
    }

    internal static Uri Url(string option, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new UsageException($"{option} takes an http(s) URL, not '{text}'");
}

/// <summary>
/// Where the providers' bills come from, as options: saved responses or a live read with a key from the
/// environment, per provider, and the tolerance. <c>ue reconcile</c> takes them, and <c>ue report</c>
/// takes them for its reconciliation section.
/// </summary>
internal sealed class BillOptions
{
    private readonly Option<string?> openAiCosts = File("--openai-costs", "OpenAI: saved GET /v1/organization/costs responses (a page, or a JSON array of pages)");
    private readonly Option<string?> openAiUsage = File("--openai-usage", "OpenAI: saved GET /v1/organization/usage/completions responses");
    private readonly Option<string?> anthropicCosts = File("--anthropic-costs", "Anthropic: saved GET /v1/organizations/cost_report responses");
    private readonly Option<string?> anthropicUsage = File("--anthropic-usage", "Anthropic: saved GET /v1/organizations/usage_report/messages responses");
    private readonly Option<string?> openAiBaseUrl = new("--openai-base-url") { Description = "OpenAI admin API base URL (default https://api.openai.com)", HelpName = "URL" };
    private readonly Option<string?> openAiKeyEnv = new("--openai-admin-key-env") { Description = "Read OpenAI's bill live, with the admin key in this environment variable", HelpName = "VAR" };
    private readonly Option<string?> anthropicBaseUrl = new("--anthropic-base-url") { Description = "Anthropic admin API base URL (default https://api.anthropic.com)", HelpName = "URL" };
    private readonly Option<string?> anthropicKeyEnv = new("--anthropic-admin-key-env") { Description = "Read Anthropic's bill live, with the admin key in this environment variable", HelpName = "VAR" };
    private readonly Option<double> tolerance = new("--tolerance")
    {
        Description = "How far estimate and bill may differ and still match (default 2%)",
        HelpName = "2%|0.02",
        DefaultValueFactory = _ => Reconciler.DefaultTolerance,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            var percent = text.EndsWith('%');
            if (double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && (percent ? value / 100 : value) is var fraction && fraction >= 0 && fraction < 1)
            {
                return fraction;
            }

            result.AddError($"--tolerance takes a share such as 2% or 0.02, not '{text}'");
            return Reconciler.DefaultTolerance;
        },
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { this.openAiCosts, this.openAiUsage, this.anthropicCosts, this.anthropicUsage, this.openAiBaseUrl, this.openAiKeyEnv, this.anthropicBaseUrl, this.anthropicKeyEnv, this.tolerance })
        {
            command.Options.Add(option);
        }
    }

    public double Tolerance(ParseResult parse) => parse.GetValue(this.tolerance);

    /// <summary>The bills the options name (none when no bill option is given); inconsistent options are a usage error.</summary>
    public List<BillSource> Sources(ParseResult parse)
    {
        var bills = new List<BillSource>();
        AddBill(bills, "openai", parse.GetValue(this.openAiCosts), parse.GetValue(this.openAiUsage), parse.GetValue(this.openAiBaseUrl), parse.GetValue(this.openAiKeyEnv), BillSource.OpenAi);
        AddBill(bills, "anthropic", parse.GetValue(this.anthropicCosts), parse.GetValue(this.anthropicUsage), parse.GetValue(this.anthropicBaseUrl), parse.GetValue(this.anthropicKeyEnv), BillSource.Anthropic);
        return bills;
    }

    private static Option<string?> File(string name, string description) => new(name) { Description = description, HelpName = "FILE" };

    private static void AddBill(List<BillSource> bills, string provider, string? costs, string? usage, string? baseUrl, string? keyVariable, Func<string?, string?, Uri?, string?, BillSource> make)
    {
        var saved = costs is not null || usage is not null;
        if (saved && keyVariable is not null)
        {
            throw new UsageException($"{provider}: give saved responses (--{provider}-costs/--{provider}-usage) or --{provider}-admin-key-env, not both");
        }

        if (saved && (costs is null || usage is null))
        {
            throw new UsageException($"{provider}: a saved bill needs both --{provider}-costs and --{provider}-usage");
        }

        if (baseUrl is not null && keyVariable is null)
        {
            throw new UsageException($"--{provider}-base-url is for a live read: give --{provider}-admin-key-env too");
        }

        if (saved || keyVariable is not null)
        {
            bills.Add(make(costs, usage, baseUrl is null ? null : ReconcileCommand.Url($"--{provider}-base-url", baseUrl), keyVariable));
        }
    }

}
