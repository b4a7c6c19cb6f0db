using System.Text.Json;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// The whole metrics path on loopback, started once for the tests that share it: engine + prometheus-net
/// sink on /metrics under steady traffic → a real Prometheus (the repo's config and rules, rewritten for
/// seconds, with a week-old history backfilled) → a real Alertmanager (the repo's routing) → a webhook in
/// the test. Ready when the three alerts the workload must raise are firing in Prometheus.
/// </summary>
public sealed class PrometheusStack : IAsyncLifetime
{
    public static readonly string[] ExpectedFiring = ["AIFreeTierSubsidyHigh", "AIMarginCompression", "AIUnpricedModelCalls"];

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private AlertWebhook? webhook;
    private MetricsEndpoint? metrics;
    private AlertmanagerServer? alertmanager;
    private PrometheusServer? prometheus;

    /// <summary>False when a binary is missing outside CI: the tests then skip with <see cref="SkipReason"/>.</summary>
    public bool Available => this.prometheus is not null;

    /// <summary>Why the stack could not start (a missing binary, outside CI).</summary>
    public string SkipReason { get; private set; } = string.Empty;

    public PrometheusServer Prometheus => this.prometheus ?? throw new InvalidOperationException("not started");

    internal AlertWebhook Webhook => this.webhook ?? throw new InvalidOperationException("not started");

    public string Diagnostics =>
        $"rounds fed: {this.metrics?.Rounds}\n--- prometheus:\n{this.prometheus?.Output}\n--- alertmanager:\n{this.alertmanager?.Output}";

    public async Task InitializeAsync()
    {
        this.webhook = new AlertWebhook();
        try
        {
            this.alertmanager = await AlertmanagerServer.StartNewAsync(TestConfigs.Alertmanager(this.webhook.Url));
            this.metrics = new MetricsEndpoint(TimeSpan.FromMilliseconds(500));
            this.prometheus = await PrometheusServer.StartNewAsync(
                TestConfigs.Prometheus(this.metrics.Port, this.alertmanager.Port),
                new Dictionary<string, string> { [TestConfigs.RulesFileName] = TestConfigs.Rules() },
                TestConfigs.MarginHistory(DateTimeOffset.UtcNow));
        }
        catch (SkipException ex)
        {
            // A fixture cannot skip; each test asks Available and skips with this reason.
            this.SkipReason = ex.Message;
            return;
        }

        await Poll.UntilAsync(
            async () =>
            {
                // Several scrapes of whole rounds (so rate() over 1m has points), and the rules evaluated.
                var scrapes = await this.prometheus.QueryAsync("count_over_time(ai_tenant_requests_total{tenant=\"acme\"}[1m])");
                var firing = await this.prometheus.QueryAsync("ALERTS{alertstate=\"firing\"}");
                var names = firing.EnumerateArray().Select(a => a.GetProperty("metric").GetProperty("alertname").GetString()).ToHashSet();
                return scrapes.GetArrayLength() == 1 && Value(scrapes[0]) >= 5 && ExpectedFiring.All(names.Contains);
            },
            ReadyTimeout,
            () => "the stack did not get ready:\n" + this.Diagnostics);
    }

    public async Task DisposeAsync()
    {
        if (this.prometheus is not null)
        {
            await this.prometheus.DisposeAsync();
        }

        if (this.alertmanager is not null)
        {
            await this.alertmanager.DisposeAsync();
        }

        if (this.metrics is not null)
        {
            await this.metrics.DisposeAsync();
        }

        if (this.webhook is not null)
        {
            await this.webhook.DisposeAsync();
        }
    }

    /// <summary>The sample value of one instant-vector element.</summary>
    public static double Value(JsonElement sample) =>
        double.Parse(sample.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Polling with a deadline: a condition that takes long is waited for, never timed.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(describe() + (last is null ? string.Empty : "\nlast error: " + last.Message));
    }
}
