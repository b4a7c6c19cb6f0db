using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using UnitEconomics.Cli.Reporting;

namespace UnitEconomics.Cli.Commands;

/// <summary>
/// Options more than one command takes, built anew for each command (a System.CommandLine symbol has
/// one parent), with their checks done at parse time so a mistake costs nothing but the error line.
/// </summary>
internal static class CommonOptions
{
    public static Option<string> Format() => new("--format")
    {
        Description = "Output format: table, markdown, csv (one file per table, with --out FOLDER) or json",
        HelpName = "table|markdown|csv|json",
        DefaultValueFactory = _ => "table",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (text is "table" or "markdown" or "csv" or "json")
            {
                return text;
            }

            result.AddError($"--format is table, markdown, csv or json, not '{text}'");
            return "table";
        },
    };

    /// <summary>
    /// <c>--out</c>: a file (a folder for csv). Its folder must exist, checked at parse time, so a typo fails
    /// before a 30-day simulation instead of after it.
    /// </summary>
    public static Option<string?> Out(string name = "--out")
    {
        var option = new Option<string?>(name)
        {
            Description = "Write to this file instead of standard output (with --format csv: a folder, one file per table)",
            HelpName = "PATH",
        };
        option.Validators.Add(result =>
        {
            var path = result.GetValueOrDefault<string?>();
            if (string.IsNullOrWhiteSpace(path))
            {
                return;
            }

            var full = Path.GetFullPath(path);
            var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full.TrimEnd(Path.DirectorySeparatorChar));
            if (folder is null || !Directory.Exists(folder))
            {
                result.AddError($"{name} {path}: folder {folder ?? full} does not exist");
            }
        });
        return option;
    }

    public static Option<string[]> Catalogs() => new("--catalog")
    {
        Description = "Price catalog layered over the default one (repeat, or separate with commas); later files override earlier ones field by field",
        HelpName = "FILE",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> Tenants() => new("--tenants")
    {
        Description = "Tenant directory (YAML or JSON): tiers, revenue, engagement",
        HelpName = "FILE",
    };

    /// <summary>A whole number of at least <paramref name="min"/>; anything else is a parse error naming the option.</summary>
    public static Option<int> Int(string name, int fallback, int min, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min)
            {
                return value;
            }

            result.AddError($"{name} takes a whole number{(min > int.MinValue ? $" of at least {min}" : string.Empty)}, not '{text}'");
            return fallback;
        },
    };

    /// <summary>A duration such as 30d, 12h, 90m or 45s.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "30d|12h|90m|45s",
        CustomParser = result => ParseDuration(result, name),
    };

    /// <summary>A UTC date or time such as 2026-10-01 or 2026-10-01T12:00:00Z.</summary>
    public static Option<DateTime?> Date(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DATE",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
            {
                return value;
            }

            result.AddError($"{name} takes a date such as 2026-10-01 or 2026-10-01T12:00:00Z, not '{text}'");
            return null;
        },
    };

    /// <summary>
    /// The Prometheus base URL and the window of a command that reads one (report, export focus): the window
    /// ends at <paramref name="to"/> (default now) and starts at <paramref name="from"/> or <paramref name="window"/> (default 30 days) before.
    /// </summary>
    public static (Uri Prometheus, DateTime FromUtc, DateTime ToUtc) PrometheusWindow(string url, DateTime? from, DateTime? to, TimeSpan? window)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--prometheus takes an http(s) URL, not '{url}'");
        }

        var end = to ?? DateTime.UtcNow;
        var start = from ?? end - (window ?? TimeSpan.FromDays(30));
        return start < end ? (baseUrl, start, end) : throw new UsageException("--from must be before --to");
    }

    public static ReportFormat ToReportFormat(string format) => format switch
    {
        "markdown" => ReportFormat.Markdown,
        "csv" => ReportFormat.Csv,
        "json" => ReportFormat.Json,
        _ => ReportFormat.Table,
    };

    /// <summary>Catalog files from repeated options and comma-separated lists alike.</summary>
    public static List<string> CatalogFiles(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static TimeSpan? ParseDuration(ArgumentResult result, string name)
    {
        var text = result.Tokens.Single().Value;
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd': return TimeSpan.FromDays(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 's': return TimeSpan.FromSeconds(n);
            }
        }

        result.AddError($"{name} takes a duration such as 30d, 12h, 90m or 45s, not '{text}'");
        return null;
    }
}
