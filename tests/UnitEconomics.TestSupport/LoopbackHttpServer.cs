using System.Net;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A minimal HTTP server on 127.0.0.1 and a free port for tests that stand in for a third party (a
/// webhook receiver, a billing API): each request is handed to <c>handle</c>, which must answer it.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<HttpListenerContext, Task> handle;
    private readonly Task serving;

    public LoopbackHttpServer(Func<HttpListenerContext, Task> handle)
    {
        this.handle = handle;
        this.Port = ExternalBinary.FreePort();
        this.listener.Prefixes.Add($"http://127.0.0.1:{this.Port}/");
        this.listener.Start();
        this.serving = Task.Run(this.ServeAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{this.Port}/");

    public async ValueTask DisposeAsync()
    {
        this.listener.Stop();
        await this.serving;
        this.listener.Close();
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await this.listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await this.handle(context);
        }
    }
}
