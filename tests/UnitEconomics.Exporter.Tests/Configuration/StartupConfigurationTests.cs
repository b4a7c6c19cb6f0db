using UnitEconomics.TestSupport;

namespace UnitEconomics.Exporter.Tests.Configuration;

/// <summary>
/// The real service process started with a bad setting: it stops at once with exit code 2 and one line
/// naming the key, where it was set and the problem; no stack trace.
/// </summary>
public sealed class StartupConfigurationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("exporter-startup-").FullName;

    public static TheoryData<string, string[]> BadSettings => new()
    {
        { "missing tenant file", ["--UnitEconomics:TenantFile={dir}/no-such-tenants.yaml"] },
        { "negative price", ["--UnitEconomics:PriceCatalogs:0={dir}/negative.yaml"] },
        { "truncated JSON catalog", ["--UnitEconomics:PriceCatalogs:0={dir}/truncated.json"] },
        { "non-numeric port", ["--Exporter:OtlpGrpcPort=four-three-one-seven"] },
        { "listen address", ["--Exporter:ListenAddress=my-host"] },
        { "ingest workers", ["--Exporter:Ingest:Workers=65"] },
        { "tenant cap", ["--UnitEconomics:MaxTenants=0"] },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_service_with_one_line(string what, string[] settings)
    {
        File.WriteAllText(Path.Combine(this.folder, "negative.yaml"), "models:\n  acme-model:\n    input: 2\n    output: -8\n");
        File.WriteAllText(Path.Combine(this.folder, "truncated.json"), "{\"models\": {\"acme-model\": {\"input\": 2, \"outp");
        var (exitCode, output) = await RunServiceAsync(settings.Select(s => s.Replace("{dir}", this.folder, StringComparison.Ordinal)));

        Assert.True(exitCode == 2, $"{what}: exit code {exitCode}\n{output}");
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("ue-exporter: configuration error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        switch (what)
        {
            case "missing tenant file":
                Assert.Contains("UnitEconomics:TenantFile (set in command line --UnitEconomics:TenantFile)", line, StringComparison.Ordinal);
                Assert.Contains("no-such-tenants.yaml' does not exist", line, StringComparison.Ordinal);
                break;
            case "negative price":
                Assert.Contains("UnitEconomics:PriceCatalogs:0", line, StringComparison.Ordinal);
                Assert.Contains("negative.yaml", line, StringComparison.Ordinal);
                Assert.Contains("entry 'acme-model', field 'output': a price must not be negative, got -8", line, StringComparison.Ordinal);
                break;
            case "truncated JSON catalog":
                Assert.Contains("UnitEconomics:PriceCatalogs:0", line, StringComparison.Ordinal);
                Assert.Contains("truncated.json", line, StringComparison.Ordinal);
                break;
            case "listen address":
                Assert.EndsWith("Exporter:ListenAddress (set in command line --Exporter:ListenAddress): 'my-host' is not an IP address or 'localhost'", line, StringComparison.Ordinal);
                break;
            case "ingest workers":
                Assert.EndsWith("Exporter:Ingest:Workers (set in command line --Exporter:Ingest:Workers): must be between 0 (automatic) and 64", line, StringComparison.Ordinal);
                break;
            case "tenant cap":
                Assert.EndsWith("UnitEconomics:MaxTenants (set in command line --UnitEconomics:MaxTenants): must be positive", line, StringComparison.Ordinal);
                break;
            default:
                Assert.Contains("Exporter:OtlpGrpcPort (set in command line --Exporter:OtlpGrpcPort): 'four-three-one-seven' is not a valid Int32", line, StringComparison.Ordinal);
                break;
        }
    }

    [Fact]
    public async Task A_bad_value_from_the_environment_names_the_variable()
    {
        var (exitCode, output) = await RunServiceAsync([], new Dictionary<string, string> { ["Exporter__MetricsPort"] = "nine" });
        Assert.Equal(2, exitCode);
        Assert.Equal(
            "ue-exporter: configuration error: Exporter:MetricsPort (set in environment variable Exporter__MetricsPort): 'nine' is not a valid Int32",
            output.Trim());
    }

    public void Dispose() => Directory.Delete(this.folder, recursive: true);

    /// <summary>The service's own binary (built beside the tests), on free ports, until it exits.</summary>
    private static async Task<(int ExitCode, string Output)> RunServiceAsync(IEnumerable<string> settings, IDictionary<string, string>? environment = null)
    {
        var dll = typeof(UnitEconomics.Exporter.Hosting.ExporterHost).Assembly.Location;
        string[] args =
        [
            dll,
            "--Exporter:ListenAddress=127.0.0.1",
            $"--Exporter:OtlpGrpcPort={ExternalBinary.FreePort()}",
            $"--Exporter:OtlpHttpPort={ExternalBinary.FreePort()}",
            $"--Exporter:MetricsPort={ExternalBinary.FreePort()}",
            .. settings,
        ];

        // The command line wins over the environment: a key the environment sets is left off it.
        var fromEnvironment = (environment?.Keys ?? []).Select(k => "--" + k.Replace("__", ":", StringComparison.Ordinal) + "=").ToArray();
        args = [.. args.Where(a => !fromEnvironment.Any(prefix => a.StartsWith(prefix, StringComparison.Ordinal)))];
        await using var process = ManagedProcess.Start("dotnet", args, environment: environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return (await process.WaitForExitAsync(timeout.Token), process.Output);
    }
}
