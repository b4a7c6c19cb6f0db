using System.Net.Http.Headers;
using Prometheus;

namespace UnitEconomics.Books.Reconciliation;

/// <summary>
/// Pushes a reconciliation's <c>ai_billing_*</c> gauges to a Pushgateway, the Prometheus convention for
/// a batch job: one PUT to <c>/metrics/job/&lt;job&gt;</c>, so each run replaces the group of the
/// previous one and nothing but the job is in the grouping key (the gauges carry their own provider label).
/// </summary>
public static class BillingGaugePusher
{
    public const string DefaultJob = "ue_reconcile";

    public const string EstimateRatio = "ai_billing_estimate_ratio";

    public const string TokenCoverageRatio = "ai_billing_token_coverage_ratio";

    public const string ReconciledUntil = "ai_billing_reconciled_until_timestamp_seconds";

    /// <summary>The gauges in the Prometheus text format, as they are pushed.</summary>
    public static async Task<string> ExpositionAsync(ReconciliationResult result, CancellationToken cancel = default)
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var ratio = factory.CreateGauge(EstimateRatio, "Estimated AI cost divided by the provider's billed cost over the reconciled window (1 = the estimate is the bill).", "provider");
        var coverage = factory.CreateGauge(TokenCoverageRatio, "Tokens traced by spans divided by tokens on the provider's bill over the reconciled window, per token type.", "provider", "token_type");
        var until = factory.CreateGauge(ReconciledUntil, "End (exclusive, Unix seconds) of the window last reconciled against the provider's bill.", "provider");
        foreach (var p in result.Providers)
        {
            if (p.EstimateRatio is { } r)
            {
                ratio.WithLabels(p.Provider).Set(r);
            }

            foreach (var (type, value) in p.Coverage)
            {
                coverage.WithLabels(p.Provider, type).Set(value);
            }

            if (p.ReconciledUntil is { } u)
            {
                until.WithLabels(p.Provider).Set(new DateTimeOffset(u, TimeSpan.Zero).ToUnixTimeSeconds());
            }
        }

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, cancel);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Replaces the job's group on <paramref name="pushgateway"/> with the gauges of <paramref name="result"/>.</summary>
    public static async Task PushAsync(Uri pushgateway, ReconciliationResult result, string job = DefaultJob, HttpMessageHandler? handler = null, CancellationToken cancel = default)
    {
        var text = await ExpositionAsync(result, cancel);
        var root = pushgateway.AbsoluteUri.EndsWith('/') ? pushgateway : new Uri(pushgateway.AbsoluteUri + "/");
        var uri = new Uri(root, "metrics/job/" + Uri.EscapeDataString(job));
        using var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.Timeout = TimeSpan.FromSeconds(30);
        using var content = new StringContent(text);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain; version=0.0.4; charset=utf-8");
        HttpResponseMessage response;
        try
        {
            response = await http.PutAsync(uri, content, cancel);
        }
        catch (HttpRequestException ex)
        {
            throw new ReconciliationException($"cannot reach the Pushgateway at {pushgateway}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancel.IsCancellationRequested)
        {
            throw new ReconciliationException($"the Pushgateway at {pushgateway} did not answer within 30 s", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var body = (await response.Content.ReadAsStringAsync(cancel)).ReplaceLineEndings(" ");
                throw new ReconciliationException($"the Pushgateway at {pushgateway} refused the push ({(int)response.StatusCode}): {(body.Length > 200 ? body[..200] : body)}");
            }
        }
    }
}

/// <summary>A reconciliation step that failed for a reason outside the bills (the estimate source, the Pushgateway); one line.</summary>
public sealed class ReconciliationException : Exception
{
    public ReconciliationException()
    {
    }

    public ReconciliationException(string message)
        : base(message)
    {
    }

    public ReconciliationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
