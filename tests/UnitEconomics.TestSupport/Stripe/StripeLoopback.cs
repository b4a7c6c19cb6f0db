using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;


namespace UnitEconomics.TestSupport.Stripe;

/// <summary>
/// Stands in for api.stripe.com on 127.0.0.1: answers <c>GET /v1/subscriptions</c>,
/// <c>/v1/invoices</c> and <c>/v1/credit_notes</c> with list objects of Stripe's documented shape,
/// paged by <c>starting_after</c> (a page says <c>has_more</c> while another follows), checks the
/// Bearer key (401 with Stripe's error object otherwise), and can be told to fail a request with a
/// given status or body before answering normally.
/// </summary>
public sealed class StripeLoopback : IAsyncDisposable
{
    public const string Key = "sk_test_51LoopbackSecretKeyNeverPrinted";

    private readonly LoopbackHttpServer server;
    private readonly Dictionary<string, List<JsonObject[]>> pages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Path, int Status, string Body)> failures = new();

    public StripeLoopback()
    {
        this.server = new LoopbackHttpServer(this.AnswerAsync);
    }

    public int Port => this.server.Port;

    public Uri ApiBase => new($"http://127.0.0.1:{this.Port}");

    /// <summary>Every request as path?query (decoded) and its Authorization header, in order.</summary>
    public ConcurrentQueue<(string PathAndQuery, string? Authorization)> Requests { get; } = new();

    /// <summary>Serves <paramref name="path"/> as these pages, in order.</summary>
    public void Pages(string path, params JsonObject[][] list) => this.pages[path] = [.. list];

    /// <summary>The next request whose path and query contain <paramref name="match"/> gets this answer instead (queued in order).</summary>
    public void FailNext(string match, int status, string body) => this.failures.Enqueue((match, status, body));

    public static string ErrorBody(string type, string message) =>
        new JsonObject { ["error"] = new JsonObject { ["type"] = type, ["message"] = message } }.ToJsonString();

    public ValueTask DisposeAsync() => this.server.DisposeAsync();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var (status, body) = this.Answer(context.Request);
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private (int Status, string Body) Answer(HttpListenerRequest request)
    {
        var path = request.Url!.AbsolutePath;
        var auth = request.Headers["Authorization"];
        var pathAndQuery = path + Uri.UnescapeDataString(request.Url.Query);
        this.Requests.Enqueue((pathAndQuery, auth));
        if (auth != "Bearer " + Key)
        {
            // Stripe's answer to a wrong key; it shows only the key's last characters.
            return (401, ErrorBody("invalid_request_error", "Invalid API Key provided: sk_test_****ever"));
        }

        if (this.failures.TryPeek(out var failure) && pathAndQuery.Contains(failure.Path, StringComparison.Ordinal) && this.failures.TryDequeue(out failure))
        {
            return (failure.Status, failure.Body);
        }

        if (!this.pages.TryGetValue(path, out var list))
        {
            return (404, ErrorBody("invalid_request_error", $"Unrecognized request URL (GET: {path})."));
        }

        // starting_after names the last object of the page before; the next page starts after it.
        var after = request.QueryString["starting_after"];
        var index = 0;
        if (after is not null)
        {
            index = list.FindIndex(page => page.Length > 0 && (string?)page[^1]["id"] == after) + 1;
            if (index == 0)
            {
                return (400, ErrorBody("invalid_request_error", $"No such object: '{after}'"));
            }
        }

        var data = new JsonArray([.. list[index].Select(o => (JsonNode)o.DeepClone())]);
        var page = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["has_more"] = index + 1 < list.Count,
            ["url"] = path,
        };
        return (200, page.ToJsonString());
    }
}
