using System.Globalization;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A real Alertmanager on loopback and a free port, clustering off, with its config and state in a temp
/// folder deleted on dispose. Debian installs the binary as <c>prometheus-alertmanager</c>; upstream
/// tarballs as <c>alertmanager</c>: either is found.
/// </summary>
public sealed class AlertmanagerServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string root;
    private ManagedProcess? process;

    private AlertmanagerServer(string root, int port)
    {
        this.root = root;
        this.Port = port;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{this.Port}/");

    public string Output => this.process?.Output ?? string.Empty;

    /// <summary>Starts Alertmanager with <paramref name="configYaml"/>. Missing: skipped outside CI, a failure under CI=true.</summary>
    public static async Task<AlertmanagerServer> StartNewAsync(string configYaml)
    {
        var binary = ExternalBinary.Find("alertmanager") ?? ExternalBinary.Require("prometheus-alertmanager", "prometheus-alertmanager");

        var root = Directory.CreateTempSubdirectory("alertmanager-test-").FullName;
        var server = new AlertmanagerServer(root, ExternalBinary.FreePort());
        try
        {
            var configPath = Path.Combine(root, "alertmanager.yml");
            await File.WriteAllTextAsync(configPath, configYaml);
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            server.process = ManagedProcess.Start(
                binary,
                [
                    "--config.file=" + configPath,
                    "--storage.path=" + data,
                    "--web.listen-address=127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture),
                    // Empty turns gossip off: no second port, no peers to wait for.
                    "--cluster.listen-address=",
                    "--log.level=warn",
                ],
                root);
            await server.process.WaitForHttpAsync(new Uri(server.Url, "-/ready").ToString(), StartTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (this.process is not null)
        {
            await this.process.DisposeAsync();
            this.process = null;
        }

        try
        {
            Directory.Delete(this.root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
