using System.CommandLine;
using UnitEconomics.Books.Revenue;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Commands;

/// <summary><c>ue report</c>: the unit-economics report from a live Prometheus (exact counter deltas over a window).</summary>
internal static class ReportCommand
{
    public static Command Build(TextWriter stdout)
    {
        var prometheus = new Option<string>("--prometheus") { Description = "Prometheus base URL (the one scraping the exporter or the app)", HelpName = "URL", Required = true };
        var window = CommonOptions.Duration("--window", "Window ending at --to (default 30d)");
        var from = CommonOptions.Date("--from", "Window start, UTC");
        var to = CommonOptions.Date("--to", "Window end, UTC (default now)");
        var tenants = CommonOptions.Tenants();
        var catalogs = CommonOptions.Catalogs();
        var format = CommonOptions.Format();
        var output = CommonOptions.Out();
        var savings = new SavingsOptions();
        var bills = new BillOptions();

        var command = new Command("report", "The unit-economics report from a live Prometheus")
        {
            prometheus, window, from, to, tenants, catalogs, format, output,
        };
        foreach (var option in savings.All)
        {
            command.Options.Add(option);
        }

        bills.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var (baseUrl, start, end) = CommonOptions.PrometheusWindow(parse.GetValue(prometheus)!, parse.GetValue(from), parse.GetValue(to), parse.GetValue(window));

            var tenantFile = parse.GetValue(tenants);
            var revenue = tenantFile is null ? null : await RevenueLoader.ApplyAsync(TenantDirectory.Load(tenantFile), cancel: cancel);
            var directory = revenue?.Directory;
            var catalog = PriceCatalog.LoadDefaultAnd([.. CommonOptions.CatalogFiles(parse.GetValue(catalogs))]);
            using var source = new PrometheusReportSource(baseUrl);
            var inputs = await source.LoadAsync(start, end, directory, cancel);
            inputs.Revenue = revenue;
            Focus.CloudBillReport.Apply(inputs);
            var report = ReportBuilder.Build(inputs, catalog, savings.Read(parse));
            report = report with { Reconciliation = await ReconcileCommand.ForReportAsync(bills, parse, baseUrl, start, end, CommonOptions.CatalogFiles(parse.GetValue(catalogs)), cancel) };
            await ReportOutput.WriteAsync(report, CommonOptions.ToReportFormat(parse.GetValue(format)!), parse.GetValue(output), stdout);
            return 0;
        });
        return command;
    }
}
