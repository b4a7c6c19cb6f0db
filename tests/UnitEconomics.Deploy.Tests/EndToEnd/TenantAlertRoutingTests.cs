using System.Net.Http.Json;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// The per-customer alerts through the shipped alertmanager.yml on a real Alertmanager: to their own
/// receiver, one notification per tenant, and silenced while the tenant's tier loses money as a whole.
/// Alerts are posted the way Prometheus posts them (<c>/api/v2/alerts</c>).
/// </summary>
public sealed class TenantAlertRoutingTests
{
    [SkippableFact]
    public async Task Tenant_alerts_reach_the_tenant_receiver_grouped_by_tenant_unless_the_tier_alert_says_it()
    {
        await using var webhook = new AlertWebhook();
        await using var alertmanager = await AlertmanagerServer.StartNewAsync(TestConfigs.Alertmanager(webhook.Url));
        using var http = new HttpClient { BaseAddress = alertmanager.Url };

        // The tier "enterprise" already loses money as a whole (critical); "pro" does not. The tier alert
        // is in Alertmanager first, as it would be: it fires after a 30-day window the tenant alerts share.
        (await http.PostAsJsonAsync("api/v2/alerts", new[] { Alert("AINegativeGrossMargin", "critical", ("tier", "enterprise")) })).EnsureSuccessStatusCode();
        await Poll.UntilAsync(
            async () => (await http.GetStringAsync(new Uri("api/v2/alerts?active=true", UriKind.Relative))).Contains("AINegativeGrossMargin", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            () => "Alertmanager never listed the tier alert:\n" + alertmanager.Output);
        var response = await http.PostAsJsonAsync("api/v2/alerts", new[]
        {
            Alert("AITenantNegativeMargin", "warning", ("tenant", "acme"), ("tier", "pro")),
            Alert("AITenantNegativeMargin", "warning", ("tenant", "initech"), ("tier", "pro")),
            Alert("AITenantNegativeMargin", "warning", ("tenant", "globex"), ("tier", "enterprise")),
            Alert("AITenantSpendSpike", "warning", ("tenant", "acme"), ("tier", "pro")),
        });
        response.EnsureSuccessStatusCode();

        await Poll.UntilAsync(
            () => Task.FromResult(webhook.Received.Count(a => a.Path == "/alerts/tenants") >= 3 && webhook.Received.Any(a => a.Path == "/alerts/critical")),
            TimeSpan.FromSeconds(60),
            () => "webhook got: " + string.Join("; ", webhook.Received.Select(a => a.Path + " " + string.Join(",", a.Labels))) + "\n" + alertmanager.Output);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few more group intervals: nothing else may arrive

        var toTenants = webhook.Received.Where(a => a.Path == "/alerts/tenants").ToList();
        Assert.Equal(
            [("AITenantNegativeMargin", "acme"), ("AITenantNegativeMargin", "initech"), ("AITenantSpendSpike", "acme")],
            toTenants.Select(a => (a.Labels["alertname"], a.Labels["tenant"])).Distinct().Order().ToArray());
        // globex's tier already fires AINegativeGrossMargin: its customer alert is inhibited.
        Assert.DoesNotContain(webhook.Received, a => a.Labels.GetValueOrDefault("tenant") == "globex");
        Assert.Contains(webhook.Received, a => a.Path == "/alerts/critical" && a.Labels["alertname"] == "AINegativeGrossMargin");
    }

    private static object Alert(string name, string severity, params (string Key, string Value)[] labels)
    {
        var all = new Dictionary<string, string> { ["alertname"] = name, ["severity"] = severity };
        foreach (var (key, value) in labels)
        {
            all[key] = value;
        }

        return new { labels = all, annotations = new Dictionary<string, string> { ["summary"] = name }, startsAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
    }
}
