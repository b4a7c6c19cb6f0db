using System.Net;
using System.Text;
using System.Text.Json;

namespace UnitEconomics.Books.ProviderBills;

/// <summary>
/// Reads a provider's bill live from its admin API: every page of the costs and the usage endpoint,
/// following <c>next_page</c> until <c>has_more</c> is false. A 429 (or a 5xx) is retried a bounded
/// number of times, waiting what <c>retry-after</c> asks (capped); a refused key, a malformed page or a
/// page loop ends the read with a one-line <see cref="BillException"/>. The key is never put in a
/// message: error texts are scrubbed of it, and a refusal's body (which may echo part of it) is not shown.
/// </summary>
public sealed class AdminApiClient : IDisposable
{
    private readonly ProviderApi api;
    private readonly Uri baseUrl;
    private readonly string key;
    private readonly string keySource;
    private readonly HttpClient http;
    private readonly Func<TimeSpan, CancellationToken, Task> delay;

    public AdminApiClient(ProviderApi api, Uri? baseUrl, string key, string keySource, HttpMessageHandler? handler = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        this.api = api;
        var root = baseUrl ?? api.DefaultBaseUrl;
        this.baseUrl = root.AbsoluteUri.EndsWith('/') ? root : new Uri(root.AbsoluteUri + "/");
        this.key = key;
        this.keySource = keySource;
        this.http = handler is null ? new HttpClient() : new HttpClient(handler);
        this.http.Timeout = TimeSpan.FromSeconds(60);
        this.delay = delay ?? Task.Delay;
    }

    /// <summary>How many times one request is tried before a 429 or 5xx ends the read.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The longest wait a <c>retry-after</c> is honoured for.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A bound on pages per endpoint, against a server that never says it is done.</summary>
    public int MaxPages { get; init; } = 1000;

    /// <summary>A client whose admin key is read from the environment variable <paramref name="variable"/>, and nowhere else.</summary>
    public static AdminApiClient FromEnvironment(ProviderApi api, Uri? baseUrl, string variable, HttpMessageHandler? handler = null)
    {
        var key = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new BillException($"{api.Provider}: the environment variable {variable} holding the admin key is not set");
        }

        return new AdminApiClient(api, baseUrl, key.Trim(), "$" + variable, handler);
    }

    /// <summary>The bill for the whole UTC days in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>).</summary>
    public async Task<ProviderBill> ReadBillAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancel = default)
    {
        var costs = await this.ReadAllAsync(this.api.Costs, fromUtc, toUtc, cancel);
        var usage = await this.ReadAllAsync(this.api.Usage, fromUtc, toUtc, cancel);
        return new ProviderBill(this.api.Provider, costs, usage);
    }

    /// <summary>Every line of every page of <paramref name="endpoint"/>.</summary>
    public async Task<List<TLine>> ReadAllAsync<TLine>(BillEndpoint<TLine> endpoint, DateTime fromUtc, DateTime toUtc, CancellationToken cancel = default)
    {
        var query = endpoint.Query(fromUtc, toUtc);
        var lines = new List<TLine>();
        var followed = new HashSet<string>(StringComparer.Ordinal);
        string? page = null;
        for (var number = 1; ; number++)
        {
            if (number > this.MaxPages)
            {
                throw new BillException($"{endpoint.Name}: still more pages after {this.MaxPages}; stopped");
            }

            var uri = this.PageUri(endpoint, query, page);
            var where = $"{endpoint.Name} page {number} ({this.baseUrl.Host}:{this.baseUrl.Port})";
            using var body = await this.GetJsonAsync(uri, where, cancel);
            var parsed = endpoint.ParsePage(body.RootElement, where);
            lines.AddRange(parsed.Lines);
            if (!parsed.HasMore)
            {
                return lines;
            }

            if (!followed.Add(parsed.NextPage!))
            {
                throw new BillException($"{where}: page loop: next_page '{this.Scrub(parsed.NextPage!)}' was already followed");
            }

            page = parsed.NextPage;
        }
    }

    public void Dispose() => this.http.Dispose();

    private Uri PageUri<TLine>(BillEndpoint<TLine> endpoint, IReadOnlyList<KeyValuePair<string, string>> query, string? page)
    {
        var sb = new StringBuilder(endpoint.Path).Append('?');
        foreach (var (name, value) in page is null ? query : [.. query, new("page", page)])
        {
            sb.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }

        return new Uri(this.baseUrl, sb.ToString(0, sb.Length - 1));
    }

    private async Task<JsonDocument> GetJsonAsync(Uri uri, string where, CancellationToken cancel)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            this.api.Authorize(request.Headers, this.key);
            HttpResponseMessage response;
            try
            {
                response = await this.http.SendAsync(request, cancel);
            }
            catch (HttpRequestException ex)
            {
                throw new BillException($"{where}: cannot reach {this.baseUrl}: {this.Scrub(ex.Message)}", ex);
            }
            catch (TaskCanceledException ex) when (!cancel.IsCancellationRequested)
            {
                throw new BillException($"{where}: no answer within {this.http.Timeout.TotalSeconds:0} s", ex);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    // The body is not shown: providers echo part of a refused key in it.
                    throw new BillException($"{where}: the admin key in {this.keySource} was refused ({status} {response.ReasonPhrase}); it needs to be an organization admin key");
                }

                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500;
                if (retryable && attempt < this.MaxAttempts)
                {
                    await this.delay(this.RetryDelay(response, attempt), cancel);
                    continue;
                }

                var text = await response.Content.ReadAsStringAsync(cancel);
                if (retryable)
                {
                    throw new BillException($"{where}: still {status} {response.ReasonPhrase} after {this.MaxAttempts} attempts");
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new BillException($"{where}: {status} {response.ReasonPhrase}: {this.Scrub(OneLine(text))}");
                }

                try
                {
                    return JsonDocument.Parse(text);
                }
                catch (JsonException ex)
                {
                    throw new BillException($"{where}: the answer is not JSON ({ex.Message.Split('.')[0]}): {this.Scrub(OneLine(text))}", ex);
                }
            }
        }
    }

    /// <summary>What <c>retry-after</c> asks (seconds or a date), else a doubling backoff; never more than <see cref="MaxRetryAfter"/>.</summary>
    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var asked = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => TimeSpan.FromSeconds(Math.Pow(2, attempt - 1)),
        };
        return asked < TimeSpan.Zero ? TimeSpan.Zero : asked > this.MaxRetryAfter ? this.MaxRetryAfter : asked;
    }

    private string Scrub(string text) => this.key.Length == 0 ? text : text.Replace(this.key, "[admin key]", StringComparison.Ordinal);

    private static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }
}
