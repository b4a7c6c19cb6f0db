using System.Globalization;
using System.Net;
using System.Text;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Simulation;

namespace UnitEconomics.Cli.Serving;

/// <summary>
/// <c>demo --serve</c>: live traffic in real time, <c>/metrics</c> for Prometheus, <c>/report</c> with
/// the in-process report as JSON (so the Prometheus-based report can be checked against it), <c>/healthz</c>.
/// </summary>
public sealed class DemoServer : IAsyncDisposable
{
    private readonly DemoEnvironment demo;
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task serving;
    private readonly DateTime startedUtc = DateTime.UtcNow;
    private readonly Lock trafficGate = new();

    private DemoServer(DemoEnvironment demo, ListenAddress endpoint)
    {
        this.demo = demo;
        this.Port = endpoint.Port == 0 ? FreePort() : endpoint.Port;
        this.listener.Prefixes.Add($"http://{endpoint.PrefixHost}:{this.Port}/");
        this.listener.Start();
        this.serving = Task.Run(this.ServeAsync);
    }

    public int Port { get; }

    public static DemoServer Start(DemoEnvironment demo, ListenAddress endpoint) => new(demo, endpoint);

    /// <summary>Sends <paramref name="perSecond"/> requests a second until cancelled (or <paramref name="stopAfter"/> requests, then keeps serving).</summary>
    public async Task RunTrafficAsync(double perSecond, int stopAfter, CancellationToken cancel)
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var sent = 0;
        try
        {
            while (!cancel.IsCancellationRequested && (stopAfter == 0 || sent < stopAfter))
            {
                lock (this.trafficGate)
                {
                    this.demo.Clock.Now = DateTime.UtcNow;
                    this.demo.Simulator.RunRandomRequestAsync().GetAwaiter().GetResult();
                }

                sent++;
                await Task.Delay(interval, cancel);
            }

            await Task.Delay(Timeout.Infinite, cancel);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await this.stop.CancelAsync();
        this.listener.Stop();
        try
        {
            await this.serving;
        }
        catch (Exception)
        {
            // The listener is gone; nothing to serve.
        }

        this.listener.Close();
        this.stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (!this.stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await this.listener.GetContextAsync();
            }
            catch (Exception) when (this.stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                continue;
            }

            _ = Task.Run(() => this.HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            switch (context.Request.Url?.AbsolutePath)
            {
                case "/metrics":
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    await this.demo.Settings.Registry!.CollectAndExportAsTextAsync(response.OutputStream);
                    break;
                case "/report":
                    var query = context.Request.QueryString;
                    var from = Parse(query["from"]) ?? this.startedUtc;
                    var to = Parse(query["to"]) ?? DateTime.UtcNow;
                    UnitEconomicsReport report;
                    lock (this.trafficGate)
                    {
                        report = this.demo.Report(from, to, "demo --serve (in-process rollup)");
                    }

                    await Write(response, "application/json", ReportRenderer.Render(report, ReportFormat.Json));
                    break;
                case "/healthz":
                    await Write(response, "text/plain", "ok");
                    break;
                default:
                    response.StatusCode = 404;
                    await Write(response, "text/plain", "not found: /metrics, /report, /healthz");
                    break;
            }
        }
        catch (Exception ex)
        {
            try
            {
                response.StatusCode = 500;
                await Write(response, "text/plain", ex.Message);
            }
            catch (Exception)
            {
                // The client went away.
            }
        }
        finally
        {
            response.Close();
        }
    }

    private static DateTime? Parse(string? text) =>
        text is not null && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private static async Task Write(HttpListenerResponse response, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
}
