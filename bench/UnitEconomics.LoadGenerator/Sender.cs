using System.Net;
using System.Net.Http.Headers;

namespace UnitEconomics.LoadGenerator;

/// <summary>What the senders saw: answers by kind.</summary>
internal sealed class SendCounts
{
    public long Ok;
    public long Saturated;
    public long Failed;
}

/// <summary>
/// One connection sending pre-encoded batches back to back (the next after the answer to the last),
/// each stamped with fresh trace ids. A saturated answer (503 / UNAVAILABLE) is waited out briefly,
/// not for the advertised Retry-After: the point is to keep the service busy, not to model a polite SDK.
/// </summary>
internal sealed class Sender : IDisposable
{
    private static long sequence;
    private static readonly MediaTypeHeaderValue Protobuf = new("application/x-protobuf");
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeHeaderValue Grpc = new("application/grpc");

    private readonly HttpClient client;
    private readonly Transport transport;
    private readonly Uri uri;
    private readonly EncodedBatch[] batches;

    public Sender(Transport transport, ServiceProcess service, IReadOnlyList<EncodedBatch> templates, int offset)
    {
        this.transport = transport;
        // One handler per sender and at most one connection each: N senders are N connections.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, EnableMultipleHttp2Connections = false, UseProxy = false };
        this.client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        this.uri = transport == Transport.Grpc
            ? new Uri($"http://127.0.0.1:{service.GrpcPort}/opentelemetry.proto.collector.trace.v1.TraceService/Export")
            : new Uri($"http://127.0.0.1:{service.HttpPort}/v1/traces");
        // Each sender stamps its own copies; start at different templates so senders differ.
        this.batches = [.. Enumerable.Range(0, templates.Count).Select(i => templates[(i + offset) % templates.Count].Copy())];
    }

    public async Task RunAsync(SendCounts counts, Func<bool> keepGoing, long maxRequests = long.MaxValue)
    {
        for (long n = 0; n < maxRequests && keepGoing(); n++)
        {
            var batch = this.batches[n % this.batches.Length];
            batch.Stamp((ulong)Interlocked.Increment(ref sequence));
            var outcome = await this.SendAsync(batch.Body);
            switch (outcome)
            {
                case Outcome.Ok:
                    Interlocked.Increment(ref counts.Ok);
                    break;
                case Outcome.Saturated:
                    Interlocked.Increment(ref counts.Saturated);
                    await Task.Delay(2);
                    break;
                default:
                    Interlocked.Increment(ref counts.Failed);
                    await Task.Delay(50);
                    break;
            }
        }
    }

    public void Dispose() => this.client.Dispose();

    private async Task<Outcome> SendAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, this.uri) { Content = content };
        if (this.transport == Transport.Grpc)
        {
            content.Headers.ContentType = Grpc;
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact; // cleartext HTTP/2 with prior knowledge
            request.Headers.TryAddWithoutValidation("te", "trailers");
        }
        else
        {
            content.Headers.ContentType = this.transport == Transport.HttpJson ? Json : Protobuf;
        }

        try
        {
            using var response = await this.client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            if (this.transport != Transport.Grpc)
            {
                return response.StatusCode switch
                {
                    HttpStatusCode.OK => Outcome.Ok,
                    HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests => Outcome.Saturated,
                    _ => Outcome.Failed,
                };
            }

            // gRPC: the status is in the trailers (or in the headers of a trailers-only answer).
            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.FirstOrDefault()
                : response.Headers.TryGetValues("grpc-status", out var h) ? h.FirstOrDefault() : null;
            return status switch
            {
                "0" => Outcome.Ok,
                "14" => Outcome.Saturated,
                _ => Outcome.Failed,
            };
        }
        catch (HttpRequestException)
        {
            return Outcome.Failed;
        }
    }

    private enum Outcome
    {
        Ok,
        Saturated,
        Failed,
    }
}
