using System.Net;
using Prometheus;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// The metrics producer: the engine and the prometheus-net sink on a fresh registry, served on
/// <c>/metrics</c> on a free loopback port while a background loop runs <see cref="Workload"/> rounds.
/// A scrape and a round never overlap (one gate), so every scrape holds whole rounds and the ratios
/// Prometheus computes are exactly the ratios of one round.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    private readonly CollectorRegistry registry = Metrics.NewCustomRegistry();
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private readonly CostEngine engine;
    private readonly Task serving;
    private readonly Task traffic;
    private int rounds;

    public MetricsEndpoint(TimeSpan roundEvery)
    {
        var sink = new PrometheusCostSink(this.registry);
        this.engine = Workload.NewEngine([sink]);
        sink.PublishTenants(Workload.Tenants);
        sink.PublishPrices(Workload.Catalog, DateTimeOffset.UtcNow);

        this.Port = ExternalBinary.FreePort();
        this.listener.Prefixes.Add($"http://127.0.0.1:{this.Port}/");
        this.listener.Start();
        this.serving = Task.Run(this.ServeAsync);
        this.traffic = Task.Run(() => this.TrafficAsync(roundEvery));
    }

    public int Port { get; }

    public int Rounds => Volatile.Read(ref this.rounds);

    public async ValueTask DisposeAsync()
    {
        await this.stop.CancelAsync();
        this.listener.Stop();
        try
        {
            await Task.WhenAll(this.serving, this.traffic);
        }
        catch (OperationCanceledException)
        {
        }

        this.listener.Close();
        this.stop.Dispose();
        this.gate.Dispose();
    }

    private async Task TrafficAsync(TimeSpan every)
    {
        while (!this.stop.IsCancellationRequested)
        {
            await this.gate.WaitAsync(this.stop.Token);
            try
            {
                Workload.RunRound(this.engine);
                Interlocked.Increment(ref this.rounds);
            }
            finally
            {
                this.gate.Release();
            }

            await Task.Delay(every, this.stop.Token);
        }
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
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            using var body = new MemoryStream();
            await this.gate.WaitAsync(this.stop.Token);
            try
            {
                await this.registry.CollectAndExportAsTextAsync(body, this.stop.Token);
            }
            finally
            {
                this.gate.Release();
            }

            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            context.Response.ContentLength64 = body.Length;
            body.Position = 0;
            await body.CopyToAsync(context.Response.OutputStream, this.stop.Token);
            context.Response.Close();
        }
    }
}
