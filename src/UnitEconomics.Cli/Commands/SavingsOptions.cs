using System.CommandLine;
using System.Globalization;
using UnitEconomics.Cli.Reporting;

namespace UnitEconomics.Cli.Commands;

/// <summary>The options that size the savings tables (docs/report.md, "Savings"), shared by demo and report.</summary>
internal sealed class SavingsOptions
{
    private readonly Option<string[]> latencyTolerant = new("--latency-tolerant")
    {
        Description = "A use case that needs no real-time answer, sized for batch APIs (repeat; default: classification)",
        HelpName = "USE_CASE",
    };

    private readonly Option<double?> repeatRate = new("--assume-repeat-rate")
    {
        Description = "Share of requests assumed to repeat where no semantic cache runs (0 to 1); default: the hit rate observed among cache lookups",
        HelpName = "RATE",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1)
            {
                return rate;
            }

            result.AddError($"--assume-repeat-rate takes a share from 0 to 1, not '{text}'");
            return null;
        },
    };

    public IEnumerable<Option> All => [this.latencyTolerant, this.repeatRate];

    public ReportOptions Read(ParseResult parse)
    {
        var defaults = new ReportOptions();
        var tolerant = parse.GetValue(this.latencyTolerant);
        return new ReportOptions
        {
            BatchableUseCases = tolerant is { Length: > 0 } ? tolerant : defaults.BatchableUseCases,
            AssumedRepeatRate = parse.GetValue(this.repeatRate),
        };
    }
}
