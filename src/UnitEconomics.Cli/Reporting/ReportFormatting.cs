using System.Globalization;

namespace UnitEconomics.Cli.Reporting;

/// <summary>How figures are written for people (tables, Markdown); files for tools carry the raw values.</summary>
public static class ReportFormatting
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Dollars to the cent from $1 up; below a dollar, four significant digits ($0.1703, $0.00001234), so
    /// a per-call cost is neither rounded to $0.00 nor shown with more precision than it has.
    /// </summary>
    public static string Usd(decimal value)
    {
        if (value == 0)
        {
            return "$0.00";
        }

        var sign = value < 0 ? "-" : string.Empty;
        var abs = Math.Abs(value);
        if (abs >= 1)
        {
            return sign + "$" + abs.ToString("#,##0.00", Inv);
        }

        var exponent = (int)Math.Floor(Math.Log10((double)abs));
        var decimals = Math.Min(28, 3 - exponent);
        return sign + "$" + Math.Round(abs, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('0', decimals), Inv);
    }

    public static string Percent(double? value) => value is { } v ? v.ToString("0.0%", Inv) : "—";

    public static string Count(long value) => value.ToString("N0", Inv);

    public static string Ratio(double? value, string suffix = "x") => value is { } v ? v.ToString("0.0", Inv) + suffix : "—";
}
