using System.Net;

namespace UnitEconomics.Books.Revenue.Stripe;

/// <summary>
/// Retries a request Stripe answered with 429 Too Many Requests, a bounded number of times: after
/// Retry-After when Stripe sends it (capped at 30 s), else after an exponentially growing wait. Stripe's
/// guidance for rate limits is to back off and retry; the SDK retries only network errors, 409 and 5xx.
/// Only reads go through here, so a retry never repeats a write.
/// </summary>
internal sealed class RateLimitRetryHandler(int maxRetries, TimeSpan firstDelay) : DelegatingHandler
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(30);

    public int MaxRetries => maxRetries;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = firstDelay;
        for (var attempt = 0; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= maxRetries)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? delay;
            response.Dispose();
            await Task.Delay(wait < LongestWait ? wait : LongestWait, cancellationToken);
            delay += delay;
        }
    }
}
