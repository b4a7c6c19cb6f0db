using System.Net;
using System.Net.Sockets;
using Xunit;

namespace UnitEconomics.TestSupport;

/// <summary>
/// Finds the real servers and tools the tests run (prometheus, promtool, alertmanager, amtool, influxd).
/// Under CI=true a missing binary fails the test with what to install; elsewhere the test is reported
/// as skipped with the same message (tests that need a binary are <c>[SkippableFact]</c>).
/// </summary>
public static class ExternalBinary
{
    private static readonly string[] SearchPath =
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(["/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin"]).Distinct().ToArray();

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Find(string name)
    {
        foreach (var dir in SearchPath)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The binary's path. Missing: under CI a failure naming the Debian package; otherwise a
    /// <see cref="SkipException"/>, which a <c>[SkippableFact]</c> reports as skipped with the reason.
    /// </summary>
    public static string Require(string name, string debianPackage)
    {
        var path = Find(name);
        if (path is not null)
        {
            return path;
        }

        var message = $"'{name}' is not installed: run build/test.sh (it installs it) or 'apt-get install -y {debianPackage}'.";
        if (IsCi)
        {
            throw new InvalidOperationException("CI=true and " + message);
        }

        throw new SkipException(message);
    }

    /// <summary>A TCP port on loopback nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
