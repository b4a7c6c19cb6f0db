using System.Globalization;
using Xunit;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>The service takes infra per tier from the cloud bill its tenant file names, publishes it, and follows a new bill.</summary>
public sealed class ServiceCloudBillTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("service-bill-").FullName;

    [Fact]
    public async Task Service_publishes_the_bills_infra_per_tier_and_follows_a_new_bill()
    {
        File.WriteAllText(Path.Combine(this.folder, "prices.yaml"), "models:\n  model-a:\n    provider: example\n    input: 2\n");
        File.WriteAllText(Path.Combine(this.folder, "tenants.yaml"), """
            tiers:
              pro: { revenue_per_customer_per_month: 29, infra_cost_per_month: 500 }
              enterprise: { revenue_per_customer_per_month: 500, infra_cost_per_month: 2000 }
            tenants:
              acme: { tier: pro }
              initech: { tier: pro }
              globex: { tier: enterprise }
            infra:
              cloud_bill: bill.csv
              include:
                tags: { app: chat }
              shared_split: customers
            """);
        await File.WriteAllTextAsync(Path.Combine(this.folder, "bill.csv"), CloudBillTests.BillCsv);
        await using var service = await RunningService.StartAsync(Path.Combine(this.folder, "prices.yaml"), Path.Combine(this.folder, "tenants.yaml"));

        // By customers (pro 2 of 3): shared 600 → pro 400, enterprise 200; pro 300 + 400 = 700; enterprise 400 + 200 + globex's 150 = 750.
        Assert.Equal(700, await this.InfraAsync(service, "pro"));
        Assert.Equal(750, await this.InfraAsync(service, "enterprise"));

        // A new bill: the pro-tagged row doubles to 600, so pro is 1,000.
        await File.WriteAllTextAsync(Path.Combine(this.folder, "bill.csv"), CloudBillTests.BillCsv.Replace("300,300,USD", "600,600,USD", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await this.InfraAsync(service, "pro") != 1000)
        {
            Assert.True(DateTime.UtcNow < deadline, "the new bill was not picked up");
            await Task.Delay(100);
        }

        Assert.Equal(750, await this.InfraAsync(service, "enterprise"));
    }

    [Fact]
    public void Basis_is_read_from_the_services_own_counters()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var cost = factory.CreateCounter("ai_tenant_cost_usd_total", "cost", "tenant", "tier");
        var calls = factory.CreateCounter("ai_tenant_requests_total", "calls", "tenant", "tier");
        cost.WithLabels("acme", "pro").Inc(0.25);
        cost.WithLabels("we \"quote\"", "pro").Inc(0.5);
        calls.WithLabels("acme", "pro").Inc(3);
        var basis = UnitEconomics.Books.Focus.CloudBill.RegistryAllocationBasis.Basis(registry);
        Assert.Equal(0.25m, basis.TenantCost["acme"]);
        Assert.Equal(0.5m, basis.TenantCost["we \"quote\""]);
        Assert.Equal(3, basis.TenantRequests["acme"]);
    }

    private async Task<double> InfraAsync(RunningService service, string tier)
    {
        using var http = new HttpClient();
        var prefix = $"ai_infra_cost_usd_per_month{{tier=\"{tier}\"}} ";
        var line = (await http.GetStringAsync(service.MetricsUri)).Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }

    public void Dispose() => Directory.Delete(this.folder, recursive: true);
}
