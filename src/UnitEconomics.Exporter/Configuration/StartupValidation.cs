using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Exporter.Configuration;

/// <summary>
/// A setting the service cannot start with. The message is one line naming the key, where it was set
/// (a file, an environment variable, the command line) and the problem; Program.cs prints it and exits
/// non-zero, with no stack trace.
/// </summary>
public sealed class ConfigurationException(string message) : Exception(message);

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
        if (FindProblems(options).FirstOrDefault() is ({ } key, { } problem))
        {
            throw Problem(configuration, $"{ExporterOptions.SectionName}:{key}", problem);
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

    /// <summary>The service's own settings that it cannot start with, each as its key under <c>Exporter</c> and why.</summary>
    private static IEnumerable<(string Key, string Problem)> FindProblems(ExporterOptions options)
    {
        foreach (var (key, port) in new[] { ("OtlpGrpcPort", options.OtlpGrpcPort), ("OtlpHttpPort", options.OtlpHttpPort), ("MetricsPort", options.MetricsPort) })
        {
            if (port is < 0 or > 65_535)
            {
                yield return (key, $"port {port} is not between 0 and 65535");
            }
        }

        if (!string.Equals(options.ListenAddress, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(options.ListenAddress, out _))
        {
            yield return ("ListenAddress", $"'{options.ListenAddress}' is not an IP address or 'localhost'");
        }

        foreach (var (key, size) in new[] { ("MaxRequestBodyBytes", options.MaxRequestBodyBytes), ("MaxDecompressedBodyBytes", options.MaxDecompressedBodyBytes), ("MaxGrpcReceiveMessageBytes", options.MaxGrpcReceiveMessageBytes) })
        {
            if (size <= 0)
            {
                yield return (key, "a size limit must be positive");
            }
        }

        if (options.Influx.Url is { IsAbsoluteUri: false })
        {
            yield return ("Influx:Url", "must be an absolute URL");
        }

        var ingest = options.Ingest;
        foreach (var (key, value) in new[] { ("QueueCapacity", ingest.QueueCapacity), ("QueueCapacityBytes", ingest.QueueCapacityBytes), ("MaxTracesInFlight", ingest.MaxTracesInFlight) })
        {
            if (value <= 0)
            {
                yield return ("Ingest:" + key, "must be positive");
            }
        }

        if (ingest.Workers is < 0 or > 64)
        {
            yield return ("Ingest:Workers", "must be between 0 (automatic) and 64");
        }

        if (ingest.RootSettleDelay < TimeSpan.Zero || ingest.TraceIdleTimeout <= TimeSpan.Zero || ingest.SweepInterval <= TimeSpan.Zero)
        {
            yield return ("Ingest", "RootSettleDelay must not be negative; TraceIdleTimeout and SweepInterval must be positive");
        }
    }

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
