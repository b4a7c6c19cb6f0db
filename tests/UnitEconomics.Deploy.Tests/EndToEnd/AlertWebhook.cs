using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>The far end of Alertmanager's webhook receivers: keeps every alert it is sent, with the path it came to.</summary>
internal sealed class AlertWebhook : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedAlert> received = new();
    private readonly LoopbackHttpServer server;

    public AlertWebhook()
    {
        this.server = new LoopbackHttpServer(this.ReceiveAsync);
    }

    public int Port => this.server.Port;

    public Uri Url => this.server.Url;

    public IReadOnlyList<ReceivedAlert> Received => [.. this.received];

    public ValueTask DisposeAsync() => this.server.DisposeAsync();

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.InputStream);
            foreach (var alert in doc.RootElement.GetProperty("alerts").EnumerateArray())
            {
                var labels = alert.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
                this.received.Enqueue(new ReceivedAlert(context.Request.Url!.AbsolutePath, alert.GetProperty("status").GetString()!, labels));
            }

            context.Response.StatusCode = 200;
        }
        catch (JsonException)
        {
            context.Response.StatusCode = 400;
        }

        context.Response.Close();
    }
}

/// <summary>One alert of a webhook notification: the receiver path, firing/resolved, and its labels.</summary>
internal sealed record ReceivedAlert(string Path, string Status, IReadOnlyDictionary<string, string> Labels);
