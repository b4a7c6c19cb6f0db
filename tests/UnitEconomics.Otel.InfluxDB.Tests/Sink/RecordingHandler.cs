using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;

namespace UnitEconomics.Otel.InfluxDB.Tests.Sink;

/// <summary>
/// Stands in for an InfluxDB 2.x/3.x (none is installed): records each request as sent on the wire and
/// answers with the status the test chooses for the n-th request (0-based).
/// </summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Func<int, HttpStatusCode> respond;
    private int calls;

    public RecordingHandler(Func<int, HttpStatusCode>? respond = null)
    {
        this.respond = respond ?? (_ => HttpStatusCode.NoContent);
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Bodies of the requests answered with 2xx, decompressed, in order.</summary>
    public string AcceptedBody => string.Concat(this.Requests.Where(r => r.Status < 300).Select(r => r.Body));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var raw = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var encoding = string.Join(",", request.Content.Headers.ContentEncoding);
        var body = encoding == "gzip" ? Gunzip(raw) : Encoding.UTF8.GetString(raw);
        var status = this.respond(Interlocked.Increment(ref this.calls) - 1);
        this.Requests.Enqueue(new RecordedRequest(
            request.Method.Method,
            request.RequestUri!.AbsoluteUri,
            request.Headers.Authorization?.ToString(),
            encoding,
            request.Content.Headers.ContentType?.ToString(),
            body,
            (int)status));
        return new HttpResponseMessage(status)
        {
            Content = new StringContent(status == HttpStatusCode.NoContent ? string.Empty : "{\"error\":\"test says " + (int)status + "\"}"),
        };
    }

    private static string Gunzip(byte[] raw)
    {
        using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

internal sealed record RecordedRequest(string Method, string Uri, string? Authorization, string ContentEncoding, string? ContentType, string Body, int Status);
