using System.CommandLine;
using UnitEconomics.Books.Focus.Files;
using UnitEconomics.Cli.Commands;

namespace UnitEconomics.Cli.Focus;

/// <summary><c>ue export focus</c>: AI cost as FOCUS 1.2 rows from a live Prometheus, or <c>--check</c> of a FOCUS file (docs/focus.md).</summary>
internal static class ExportFocusCommand
{
    public static Command Build(TextWriter stdout)
    {
        var prometheus = new Option<string?>("--prometheus") { Description = "Prometheus base URL (the one scraping the exporter or the app)", HelpName = "URL" };
        var window = CommonOptions.Duration("--window", "Window ending at --to (default 30d)");
        var from = CommonOptions.Date("--from", "Window start, UTC");
        var to = CommonOptions.Date("--to", "Window end, UTC (default now)");
        var output = CommonOptions.Out();
        output.Description = "The FOCUS file to write";
        var format = new Option<string?>("--format")
        {
            Description = "csv or parquet (default: from the --out file's extension, csv unless .parquet)",
            HelpName = "csv|parquet",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (text is "csv" or "parquet")
                {
                    return text;
                }

                result.AddError($"--format is csv or parquet, not '{text}'");
                return null;
            },
        };
        var check = new Option<string?>("--check") { Description = "Check a FOCUS file (CSV or Parquet) against FOCUS 1.2 instead of exporting", HelpName = "FILE" };

        var focus = new Command("focus", "AI cost per day, model, use case and tier as FOCUS 1.2 rows (CSV or Parquet), for FinOps tools")
        {
            prometheus, window, from, to, output, format, check,
        };
        focus.SetAction(async (parse, cancel) =>
        {
            if (parse.GetValue(check) is { } file)
            {
                return await FocusExportCommand.CheckAsync(file, stdout, cancel);
            }

            var url = parse.GetValue(prometheus) ?? throw new UsageException("export focus needs --prometheus URL (or --check FILE)");
            var (baseUrl, start, end) = CommonOptions.PrometheusWindow(url, parse.GetValue(from), parse.GetValue(to), parse.GetValue(window));

            var outFile = parse.GetValue(output) ?? throw new UsageException("export focus needs --out FILE");
            var fileFormat = parse.GetValue(format) switch
            {
                "csv" => FocusFileFormat.Csv,
                "parquet" => FocusFileFormat.Parquet,
                _ => FocusExportCommand.FormatOf(outFile),
            };
            var settings = new FocusExportSettings { Prometheus = baseUrl, FromUtc = start, ToUtc = end, OutFile = outFile, Format = fileFormat };
            return await FocusExportCommand.ExportAsync(settings, stdout, cancel);
        });

        return new Command("export", "Export AI cost in a standard format") { focus };
    }
}
