using System.Net;
using global::Stripe;

namespace UnitEconomics.Books.Revenue.Stripe;

/// <summary>
/// Reads subscriptions, paid invoices and credit notes from Stripe's API with the official SDK
/// (Stripe.net): it follows <c>has_more</c>/<c>starting_after</c> across pages, sends the pinned API
/// version, retries network errors and 5xx; <see cref="RateLimitRetryHandler"/> adds bounded retries
/// of 429, which the SDK does not retry. The secret key is read from the named environment variable at
/// each read (so a rotated key is picked up) and is never part of a message.
/// </summary>
public sealed class StripeApiReader
{
    /// <summary>
    /// Deep enough for the coupon of each discount (four levels, Stripe's limit); the customer for its
    /// metadata. Prices come whole on subscription items without expanding.
    /// </summary>
    internal static readonly string[] SubscriptionExpand = ["data.customer", "data.discounts.source.coupon"];

    private readonly StripeApiSettings settings;
    private readonly Func<string, string?> environment;
    private readonly TimeSpan retryDelay;

    /// <param name="settings">API base, key variable, retries.</param>
    /// <param name="environment">Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> by default.</param>
    /// <param name="retryDelay">First wait before retrying a 429 (doubled each time) when Stripe sends no Retry-After; 1 s by default.</param>
    public StripeApiReader(StripeApiSettings settings, Func<string, string?>? environment = null, TimeSpan? retryDelay = null)
    {
        this.settings = settings;
        this.environment = environment ?? Environment.GetEnvironmentVariable;
        this.retryDelay = retryDelay ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>Reads everything; paid invoices and credit notes created on or after <paramref name="since"/>.</summary>
    /// <exception cref="RevenueSourceException">No key, the key refused, still rate-limited after the retries, a malformed page, or Stripe unreachable.</exception>
    public async Task<StripeBilling> ReadAsync(DateTime since, CancellationToken cancel = default)
    {
        var key = this.environment(this.settings.ApiKeyEnv);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new RevenueSourceException($"stripe: the environment variable {this.settings.ApiKeyEnv} is not set; the secret key is read from it (revenue.stripe.api_key_env)");
        }

        var retry = new RateLimitRetryHandler(this.settings.MaxRetries, this.retryDelay) { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(retry) { Timeout = TimeSpan.FromSeconds(80) };
        var client = new StripeClient(
            key,
            httpClient: new SystemNetHttpClient(http, maxNetworkRetries: this.settings.MaxRetries, enableTelemetry: false),
            apiBase: this.settings.ApiBase.ToString().TrimEnd('/'));

        var subscriptions = await this.ListAsync(
            "/v1/subscriptions",
            key,
            retry,
            () => new SubscriptionService(client).ListAutoPagingAsync(new SubscriptionListOptions { Status = "all", Limit = 100, Expand = [.. SubscriptionExpand] }, cancellationToken: cancel));
        var created = new DateRangeOptions { GreaterThanOrEqual = since };
        var invoices = await this.ListAsync(
            "/v1/invoices",
            key,
            retry,
            () => new InvoiceService(client).ListAutoPagingAsync(new InvoiceListOptions { Status = "paid", Created = created, Limit = 100, Expand = ["data.customer"] }, cancellationToken: cancel));
        var creditNotes = await this.ListAsync(
            "/v1/credit_notes",
            key,
            retry,
            () => new CreditNoteService(client).ListAutoPagingAsync(new CreditNoteListOptions { Created = created, Limit = 100 }, cancellationToken: cancel));
        return new StripeBilling(subscriptions, invoices, creditNotes, DateTimeOffset.UtcNow);
    }

    private async Task<List<T>> ListAsync<T>(string path, string key, RateLimitRetryHandler retry, Func<IAsyncEnumerable<T>> list)
    {
        var items = new List<T>();
        var where = $"stripe: GET {this.settings.ApiBase.ToString().TrimEnd('/')}{path}";
        try
        {
            await foreach (var item in list())
            {
                items.Add(item);
            }

            return items;
        }
        catch (StripeException ex) when (ex.HttpStatusCode == HttpStatusCode.Unauthorized)
        {
            throw new RevenueSourceException($"{where}: 401 Unauthorized: the secret key in {this.settings.ApiKeyEnv} was refused", Scrubbed(ex, key));
        }
        catch (StripeException ex) when (ex.HttpStatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new RevenueSourceException($"{where}: still rate limited (429) after {retry.MaxRetries} retries; the last figures stay in use", Scrubbed(ex, key));
        }
        catch (StripeException ex) when ((int)ex.HttpStatusCode is >= 200 and < 300)
        {
            throw new RevenueSourceException($"{where}: malformed response page: {Scrub(ex.Message, key)}", Scrubbed(ex, key));
        }
        catch (StripeException ex)
        {
            var detail = ex.StripeError?.Message ?? ex.Message;
            throw new RevenueSourceException($"{where}: HTTP {(int)ex.HttpStatusCode}: {Scrub(detail, key)}", Scrubbed(ex, key));
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            throw new RevenueSourceException($"{where}: malformed response page: {Scrub(ex.Message, key)}", Scrubbed(ex, key));
        }
        catch (HttpRequestException ex)
        {
            throw new RevenueSourceException($"{where}: cannot reach Stripe: {Scrub(ex.Message, key)}", Scrubbed(ex, key));
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            throw new RevenueSourceException($"{where}: timed out", null);
        }
    }

    // The SDK's own messages can quote the request; nothing with the key in it leaves this class.
    private static string Scrub(string text, string key) => text.Replace(key, "***", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static Exception? Scrubbed(Exception ex, string key) => ex.ToString().Contains(key, StringComparison.Ordinal) ? null : ex;
}
