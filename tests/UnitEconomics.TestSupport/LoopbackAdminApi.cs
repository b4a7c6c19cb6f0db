using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace UnitEconomics.TestSupport;

/// <summary>
/// Stands in for a provider's admin API (OpenAI or Anthropic) on a free loopback port: it replays
/// pages of exactly the documented shape, serving the page a <c>page</c> cursor names (no cursor: the
/// first), and refuses with 401 any request that does not carry the expected key in the expected
/// header. It can answer 429 with <c>retry-after</c> a set number of times first, and records every
/// request (path, query, the headers' names) for the test to check.
/// </summary>
public sealed class LoopbackAdminApi : IAsyncDisposable
{
    private readonly LoopbackHttpServer server;
    private readonly Dictionary<string, IReadOnlyList<(string? Cursor, string Body)>> pages = new(StringComparer.Ordinal);
    private readonly Func<HttpListenerRequest, bool> authorized;
    private int throttleLeft;

    /// <param name="authorized">Whether a request carries the right key (e.g. its <c>x-api-key</c> header equals the test's key).</param>
    public LoopbackAdminApi(Func<HttpListenerRequest, bool> authorized)
    {
        this.authorized = authorized;
        this.server = new LoopbackHttpServer(this.AnswerAsync);
    }

    public int Port => this.server.Port;

    public Uri Url => this.server.Url;

    /// <summary>Every request served, in order: the path and query as received.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Serves <paramref name="bodies"/> at <paramref name="path"/>: the body at index i answers cursor <c>page_i</c> (index 0: no cursor).</summary>
    public void Serve(string path, params string[] bodies) =>
        this.pages["/" + path.TrimStart('/')] = bodies.Select((b, i) => (i == 0 ? null : $"page_{i}", b)).ToList();

    /// <summary>Answers the next <paramref name="times"/> requests with 429 and <c>retry-after: <paramref name="seconds"/></c>.</summary>
    public void Throttle(int times, int seconds = 1)
    {
        this.RetryAfterSeconds = seconds;
        Volatile.Write(ref this.throttleLeft, times);
    }

    public int RetryAfterSeconds { get; private set; } = 1;

    public ValueTask DisposeAsync() => this.server.DisposeAsync();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        this.Requests.Enqueue(request.Url!.PathAndQuery);
        var (status, body) = this.Answer(request, context.Response);
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private (int Status, string Body) Answer(HttpListenerRequest request, HttpListenerResponse response)
    {
        if (!this.authorized(request))
        {
            // As the providers do, the refusal echoes part of what was sent.
            var sent = request.Headers["x-api-key"] ?? request.Headers["Authorization"] ?? "(none)";
            return (401, $$$"""{"error":{"type":"authentication_error","message":"invalid x-api-key or bearer token: {{{sent}}}"}}""");
        }

        if (Interlocked.Decrement(ref this.throttleLeft) >= 0)
        {
            response.AddHeader("retry-after", this.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return (429, """{"error":{"type":"rate_limit_error","message":"Too many requests"}}""");
        }

        if (!this.pages.TryGetValue(request.Url!.AbsolutePath, out var bodies))
        {
            return (404, """{"error":{"type":"not_found_error","message":"no such endpoint"}}""");
        }

        var cursor = request.QueryString["page"];
        var page = bodies.FirstOrDefault(p => p.Cursor == cursor);
        return page.Body is null
            ? (400, """{"error":{"type":"invalid_request_error","message":"unknown page cursor"}}""")
            : (200, page.Body);
    }
}
