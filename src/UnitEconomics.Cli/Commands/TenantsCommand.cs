using System.CommandLine;
using UnitEconomics.Books.Revenue;
using UnitEconomics.Books.Revenue.Tenants;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Commands;

/// <summary>
/// <c>ue tenants --tenant-file FILE [--format table|json]</c>: each tenant's tier and revenue per month,
/// which figure that is (MRR, recognised, tier price, the file's own) and where it came from, after the
/// billing source the file names was read — the operator's check of the tenant mapping.
/// </summary>
internal static class TenantsCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var file = new Option<string>("--tenant-file", "--tenants") { Description = "Tenant directory (YAML or JSON), with its revenue section", HelpName = "FILE", Required = true };
        var format = new Option<string>("--format")
        {
            Description = "Output format: table or json",
            HelpName = "table|json",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("tenants", "Each tenant's tier, revenue per month, which figure it is and its source (billing or the tenant file)") { file, format };
        command.SetAction(async (parse, cancel) =>
        {
            var directory = TenantDirectory.Load(parse.GetValue(file)!);
            var loaded = await RevenueLoader.ApplyAsync(directory, cancel: cancel);
            var listing = TenantRevenueListing.Of(loaded);
            await stdout.WriteAsync(parse.GetValue(format) == "json" ? listing.RenderJson() : listing.RenderTable());
            if (loaded.Error is { } error)
            {
                // The listing shows the file's figures; the exit code says the billing source was not read.
                await stderr.WriteLineAsync("ue: " + error);
                return 1;
            }

            return 0;
        });
        return command;
    }
}
