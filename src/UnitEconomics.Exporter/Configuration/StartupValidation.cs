using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Options;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Exporter.Configuration;

/// <summary>
/// A setting the service cannot start with. The message is one line naming the key, where it was set
/// (a file, an environment variable, the command line) and the problem; Program.cs prints it and exits
/// non-zero, with no stack trace.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Everything the service reads at start-up, checked before the host is built: values that do not
/// convert, out-of-range settings, and the engine's own checks (<see cref="UnitEconomicsOptions.FindProblems"/>:
/// the tenant file and price catalogs exist and load). A file that breaks after start-up is a reload failure instead: the last good version stays.
/// </summary>
public static partial class StartupValidation
{
    /// <summary>Binds and checks the <c>Exporter</c> section.</summary>
    /// <exception cref="ConfigurationException">The first problem found.</exception>
    public static ExporterOptions BindExporterOptions(IConfiguration configuration)
    {
        var options = Bind<ExporterOptions>(configuration, ExporterOptions.SectionName);
        foreach (var (key, port) in new[] { ("OtlpGrpcPort", options.OtlpGrpcPort), ("OtlpHttpPort", options.OtlpHttpPort), ("MetricsPort", options.MetricsPort) })
        {
            if (port is < 0 or > 65_535)
            {
                throw Problem(configuration, $"{ExporterOptions.SectionName}:{key}", $"port {port} is not between 0 and 65535");
            }
        }

        return options;
    }

    /// <summary>Binds the engine's <c>UnitEconomics</c> section and checks it as the engine will use it.</summary>
    /// <exception cref="ConfigurationException">The first problem found.</exception>
    public static void CheckEngineOptions(IConfiguration configuration)
    {
        var options = Bind<UnitEconomicsOptions>(configuration, UnitEconomicsOptions.SectionName);
        if (options.FindProblems().FirstOrDefault() is ({ } key, { } problem))
        {
            throw Problem(configuration, $"{UnitEconomicsOptions.SectionName}:{key}", problem);
        }
    }

    /// <summary>The one line for an <see cref="OptionsValidationException"/> raised by the options' own checks.</summary>
    public static string Describe(OptionsValidationException e) =>
        $"{e.OptionsName}: {string.Join("; ", e.Failures)}";

    private static T Bind<T>(IConfiguration configuration, string sectionName)
        where T : new()
    {
        try
        {
            return configuration.GetSection(sectionName).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e) when (ConversionKey().Match(e.Message) is { Success: true } match)
        {
            // "Failed to convert configuration value 'abc' at 'Exporter:OtlpGrpcPort' to type 'System.Int32'."
            var key = match.Groups["key"].Value;
            var type = match.Groups["type"].Value;
            throw Problem(configuration, key, $"'{configuration[key]}' is not a valid {type[(type.LastIndexOf('.') + 1)..]}");
        }
    }

    private static ConfigurationException Problem(IConfiguration configuration, string key, string problem) =>
        new($"{key} (set in {SourceOf(configuration, key)}): {problem}");

    /// <summary>Where a key's value comes from: the last provider that has it wins, as in binding.</summary>
    private static string SourceOf(IConfiguration configuration, string key)
    {
        if (configuration is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.Reverse())
            {
                if (!provider.TryGet(key, out _))
                {
                    continue;
                }

                return provider switch
                {
                    FileConfigurationProvider file => file.Source.Path ?? "a configuration file",
                    EnvironmentVariablesConfigurationProvider => "environment variable " + key.Replace(":", "__", StringComparison.Ordinal),
                    CommandLineConfigurationProvider => "command line --" + key,
                    _ => provider.GetType().Name,
                };
            }
        }

        return "defaults";
    }

    [GeneratedRegex("at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionKey();
}
