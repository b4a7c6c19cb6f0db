using System.Globalization;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A real Prometheus Pushgateway on loopback and a free port, without persistence, stopped on dispose.
/// Debian ships it as <c>prometheus-pushgateway</c> (binary of the same name; upstream calls it <c>pushgateway</c>).
/// </summary>
public sealed class PushgatewayServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private ManagedProcess? process;

    private PushgatewayServer(int port)
    {
        this.Port = port;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{this.Port}/");

    /// <summary>host:port, as a Prometheus scrape target.</summary>
    public string Target => "127.0.0.1:" + this.Port.ToString(CultureInfo.InvariantCulture);

    public string Output => this.process?.Output ?? string.Empty;

    /// <summary>Starts a Pushgateway. A missing binary skips the test outside CI and fails it under CI=true (see <see cref="ExternalBinary.Require"/>).</summary>
    public static async Task<PushgatewayServer> StartNewAsync()
    {
        var binary = ExternalBinary.Find("pushgateway") ?? ExternalBinary.Require("prometheus-pushgateway", "prometheus-pushgateway");
        var server = new PushgatewayServer(ExternalBinary.FreePort());
        try
        {
            server.process = ManagedProcess.Start(binary, ["--web.listen-address=" + server.Target, "--persistence.file=", "--log.level=warn"]);
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
    }
}
