using UnitEconomics.Books.Focus;
using UnitEconomics.Books.Focus.CloudBill;
using UnitEconomics.Books.Focus.Files;
using UnitEconomics.Cli.Focus;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;
using Xunit;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Books.Tests.Focus;

/// <summary>
/// A hand-made FOCUS cloud bill, allocated by the tenant file's rules, gives the infra per tier and per
/// customer computed here by hand; the margin table follows; CSV and Parquet give the same figures.
/// </summary>
public sealed class CloudBillTests : IDisposable
{
    /// <summary>
    /// October 2026 (and one September row). Product rows carry app=chat: pro-tagged 300, enterprise-tagged
    /// 400, globex-tagged 150, shared 600. Not the product: an untagged 999 and another app's 250. The
    /// September 1,000 is outside the latest month.
    /// </summary>
    internal const string BillCsv = """
        BilledCost,EffectiveCost,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,Tags
        300,300,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,Amazon EC2,"{""app"":""chat"",""tier"":""pro""}"
        400,400,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,Amazon RDS,"{""app"":""chat"",""tier"":""enterprise""}"
        150,150,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,Amazon EKS,"{""app"":""chat"",""tenant"":""globex""}"
        600,600,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,Elastic Load Balancing,"{""app"":""chat""}"
        999,999,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,Amazon S3,
        250,250,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,Amazon EC2,"{""app"":""other"",""tier"":""pro""}"
        1000,1000,USD,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,Amazon EC2,"{""app"":""chat"",""tier"":""pro""}"
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("cloud-bill-").FullName;

    [Theory]
    [InlineData("bill.csv")]
    [InlineData("bill.parquet")]
    public async Task Bill_gives_the_hand_computed_infra_per_tier_and_per_customer(string billFile)
    {
        await this.WriteBillAsync(billFile);
        var directory = this.TenantFile(billFile, "ai_cost");

        // AI cost in the window: acme 30, initech 10 (pro 40), globex 60 (enterprise), 100 in all.
        var allocation = CloudBillInfraSource.Allocate(CloudBillSettings.From(directory)!, directory, Basis());
        Assert.Equal(SharedSplit.AiCost, allocation.SplitUsed);
        Assert.Equal([new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc)], allocation.Periods);
        Assert.Equal(4, allocation.RowsIncluded);
        Assert.Equal((150m, 700m, 600m), (allocation.TenantTagged, allocation.TierTagged, allocation.Shared));

        // Shared 600 by AI cost: pro 600 × 40/100 = 240, enterprise 360.
        // pro: 300 + 240 = 540, to acme 540 × 30/40 = 405 and initech 540 × 10/40 = 135.
        // enterprise: 400 + 360 = 760 for its tier, plus globex's own 150: 910, all globex's.
        Assert.Equal(540m, allocation.Costs.PerTier["pro"]);
        Assert.Equal(910m, allocation.Costs.PerTier["enterprise"]);
        Assert.Equal(405m, allocation.Costs.PerTenant["acme"]);
        Assert.Equal(135m, allocation.Costs.PerTenant["initech"]);
        Assert.Equal(910m, allocation.Costs.PerTenant["globex"]);

        var applied = directory.WithInfraCosts(allocation.Costs);
        Assert.Equal(405m, applied.InfraCostOfTenant("acme"));
        Assert.Equal(270m, applied.InfraCostPerCustomerOfTier("pro")); // 540 / 2 customers
    }

    [Theory]
    [InlineData("requests", 150, 450, 850)]  // calls acme 5, initech 15, globex 20: shared 300 / 300; pro 600 → 150 + 450; globex 150 + 700
    [InlineData("customers", 350, 350, 750)] // 2 of 3 customers on pro: shared 400 / 200; pro 700 → 350 each; globex 150 + 600
    public async Task Shared_rows_split_as_the_user_chooses(string split, int acme, int initech, int globex)
    {
        await this.WriteBillAsync("bill.csv");
        var directory = this.TenantFile("bill.csv", split);
        var costs = CloudBillInfraSource.Allocate(CloudBillSettings.From(directory)!, directory, Basis()).Costs;
        Assert.Equal([acme, initech, globex], new[] { costs.PerTenant["acme"], costs.PerTenant["initech"], costs.PerTenant["globex"] });
        Assert.Equal(acme + initech, costs.PerTier["pro"]);
        Assert.Equal(globex, costs.PerTier["enterprise"]);
    }

    [Fact]
    public async Task Margin_table_takes_the_bills_infra_instead_of_the_typed_one()
    {
        await this.WriteBillAsync("bill.csv");
        var before = ReportBuilder.Build(this.Inputs(this.TenantFile(billFile: null, "ai_cost")), PriceCatalog.Empty);
        var inputs = this.Inputs(this.TenantFile("bill.csv", "ai_cost"));
        Assert.NotNull(CloudBillReport.Apply(inputs));
        var after = ReportBuilder.Build(inputs, PriceCatalog.Empty);

        // Typed: pro 500 / 2 = 250 per customer, enterprise 2,000. Billed: pro 540 / 2 = 270, enterprise 910.
        // Over 30 days AI per customer is pro 40 / 2 = 20, enterprise 60; revenue 29 and 500.
        var pro = (Before: before.Tiers.Single(t => t.Tier == "pro"), After: after.Tiers.Single(t => t.Tier == "pro"));
        var ent = (Before: before.Tiers.Single(t => t.Tier == "enterprise"), After: after.Tiers.Single(t => t.Tier == "enterprise"));
        Assert.Equal((250m, -241m), (pro.Before.InfraCostPerCustomerPerMonth, pro.Before.MarginPerCustomerPerMonth));   // 29 − (20 + 250)
        Assert.Equal((270m, -261m), (pro.After.InfraCostPerCustomerPerMonth, pro.After.MarginPerCustomerPerMonth));     // 29 − (20 + 270)
        Assert.Equal((2000m, -1560m), (ent.Before.InfraCostPerCustomerPerMonth, ent.Before.MarginPerCustomerPerMonth)); // 500 − (60 + 2,000)
        Assert.Equal((910m, -470m), (ent.After.InfraCostPerCustomerPerMonth, ent.After.MarginPerCustomerPerMonth));     // 500 − (60 + 910)

        // Per customer: acme pays 29, costs 30 of AI a month; its infra was 250 (half of pro's 500), from the bill 405.
        var acme = (Before: before.AllTenants.Single(t => t.Tenant == "acme"), After: after.AllTenants.Single(t => t.Tenant == "acme"));
        Assert.Equal((250m, -251m), (acme.Before.InfraPerMonth, acme.Before.MarginPerMonth)); // 29 − 30 − 250
        Assert.Equal((405m, -406m), (acme.After.InfraPerMonth, acme.After.MarginPerMonth));   // 29 − 30 − 405
        Assert.Equal((135m, -116m), (after.AllTenants.Single(t => t.Tenant == "initech").InfraPerMonth, after.AllTenants.Single(t => t.Tenant == "initech").MarginPerMonth)); // 29 − 10 − 135
        Assert.Equal((910m, -470m), (after.AllTenants.Single(t => t.Tenant == "globex").InfraPerMonth, after.AllTenants.Single(t => t.Tenant == "globex").MarginPerMonth));   // 500 − 60 − 910
    }

    [Fact]
    public async Task Csv_and_parquet_forms_of_the_bill_give_identical_figures()
    {
        await this.WriteBillAsync("bill.csv");
        await this.WriteBillAsync("bill.parquet");
        var csv = this.TenantFile("bill.csv", "ai_cost");
        var parquet = this.TenantFile("bill.parquet", "ai_cost");
        var a = CloudBillInfraSource.Allocate(CloudBillSettings.From(csv)!, csv, Basis());
        var b = CloudBillInfraSource.Allocate(CloudBillSettings.From(parquet)!, parquet, Basis());
        Assert.Equal(a.Costs.PerTier.OrderBy(kv => kv.Key), b.Costs.PerTier.OrderBy(kv => kv.Key));
        Assert.Equal(a.Costs.PerTenant.OrderBy(kv => kv.Key), b.Costs.PerTenant.OrderBy(kv => kv.Key));
        Assert.Equal((a.RowsRead, a.RowsIncluded, a.Shared), (b.RowsRead, b.RowsIncluded, b.Shared));
    }

    [Fact]
    public async Task Malformed_bills_are_refused_naming_the_row_and_column_and_nothing_is_used()
    {
        var cases = new (Func<string, string> Edit, string Expected)[]
        {
            (b => b.Replace("300,300,USD", "300,\"12,5\",USD", StringComparison.Ordinal), "row 1, column EffectiveCost: '12,5' is not a decimal number"),
            (b => b.Replace("400,400,USD", "400,400,XYZ", StringComparison.Ordinal), "row 2, column BillingCurrency: 'XYZ' is not an ISO 4217 currency code"),
            (b => b.Replace("150,150,USD", "150,150,EUR", StringComparison.Ordinal), "row 3, column BillingCurrency: 'EUR': margins are in USD"),
            (b => b.Replace("600,600,USD,2026-10-01T00:00:00Z", "600,600,USD,1st October", StringComparison.Ordinal), "row 4, column BillingPeriodStart: '1st October' is not an ISO 8601 UTC date/time"),
            (b => b.Replace(",EffectiveCost,", ",Cost,", StringComparison.Ordinal), "column EffectiveCost: missing (FOCUS 1.2 mandatory)"),
            (b => b.Replace("\"{\"\"app\"\":\"\"chat\"\"}\"", "app=chat", StringComparison.Ordinal), "row 4, column Tags: 'app=chat' is not JSON"),
        };
        foreach (var (edit, expected) in cases)
        {
            await File.WriteAllTextAsync(Path.Combine(this.folder, "bill.csv"), edit(BillCsv));
            var directory = this.TenantFile("bill.csv", "ai_cost");
            var ex = Assert.Throws<TenantDirectoryException>(() => CloudBillInfraSource.Allocate(CloudBillSettings.From(directory)!, directory, Basis()));
            var prefix = $"{Path.Combine(this.folder, "tenants.yaml")}: the cloud bill is refused: {Path.Combine(this.folder, "bill.csv")}: {expected}";
            Assert.True(ex.Message.StartsWith(prefix, StringComparison.Ordinal), ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
    }

    [Fact]
    public async Task Tags_as_a_parquet_map_read_as_tags()
    {
        // Some clouds write Tags as a Parquet MAP<string, string> rather than JSON text.
        var schema = new Parquet.Schema.ParquetSchema(
            new Parquet.Schema.DecimalDataField(FocusSpec.EffectiveCost, 28, 12),
            new Parquet.Schema.DataField<string>(FocusSpec.BillingCurrency),
            new Parquet.Schema.DateTimeDataField(FocusSpec.BillingPeriodStart, Parquet.Schema.DateTimeFormat.Timestamp, isAdjustedToUTC: true),
            new Parquet.Schema.DataField<string>(FocusSpec.ChargeCategory),
            new Parquet.Schema.MapField(FocusSpec.Tags, new Parquet.Schema.DataField<string>("key", false), new Parquet.Schema.DataField<string>("value")));
        var october = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        IDictionary<string, object?> Row(decimal cost, Dictionary<string, string> tags) => new Dictionary<string, object?>
        {
            [FocusSpec.EffectiveCost] = cost, [FocusSpec.BillingCurrency] = "USD", [FocusSpec.BillingPeriodStart] = october,
            [FocusSpec.ChargeCategory] = "Usage",

            // Parquet.Net's untyped writer takes map strings as ReadOnlyMemory<char>.
            [FocusSpec.Tags] = tags.ToDictionary(kv => kv.Key.AsMemory(), kv => (ReadOnlyMemory<char>?)kv.Value.AsMemory()),
        };
        var path = Path.Combine(this.folder, "map.parquet");
        await using (var stream = File.Create(path))
        {
            await Parquet.Serialization.ParquetSerializer.SerializeUntypedAsync(
                [Row(300m, new() { ["app"] = "chat", ["tier"] = "pro" }), Row(900m, new() { ["app"] = "chat" }), Row(50m, new() { ["app"] = "other" })], schema, stream);
        }

        var directory = this.TenantFile("map.parquet", "customers");
        var costs = CloudBillInfraSource.Allocate(CloudBillSettings.From(directory)!, directory, Basis()).Costs;

        // pro 300 + 2/3 of the shared 900 = 900; enterprise 1/3 = 300; the other app's 50 is not the product's.
        Assert.Equal(900m, costs.PerTier["pro"]);
        Assert.Equal(300m, costs.PerTier["enterprise"]);
    }

    [Fact]
    public void Bad_infra_settings_are_refused_with_the_tenant_files_line()
    {
        var file = Path.Combine(this.folder, "tenants.yaml");
        File.WriteAllText(file, "tiers:\n  pro: { revenue_per_customer_per_month: 29 }\ninfra:\n  cloud_bill: bill.csv\n  shared_split: by_magic\n");
        var ex = Assert.Throws<TenantDirectoryException>(() => CloudBillSettings.From(TenantDirectory.Load(file)));
        Assert.Equal($"{file}:3: infra, field 'shared_split': must be ai_cost, requests or customers, found 'by_magic'", ex.Message);

        File.WriteAllText(file, "tiers:\n  pro: { revenue_per_customer_per_month: 29 }\ninfra:\n  bill: bill.csv\n");
        ex = Assert.Throws<TenantDirectoryException>(() => CloudBillSettings.From(TenantDirectory.Load(file)));
        Assert.StartsWith($"{file}:3: infra, field 'bill': unknown key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_monthly_file_in_the_bill_folder_is_picked_up_as_the_tenant_file_is()
    {
        var bills = Directory.CreateDirectory(Path.Combine(this.folder, "bills")).FullName;
        var lines = BillCsv.Split('\n');
        var header = lines[0];

        // September alone: the pro-tagged 1,000 is the latest month.
        await File.WriteAllTextAsync(Path.Combine(bills, "2026-09.csv"), header + "\n" + lines[^1] + "\n");
        this.TenantFile("bills", "customers");
        using var watcher = new TenantDirectoryWatcher(Path.Combine(this.folder, "tenants.yaml"), TimeSpan.FromMilliseconds(50), new CloudBillInfraSource());
        Assert.Equal(1000m, watcher.Current.Tiers["pro"].InfraCostPerMonth);
        Assert.Equal(0m, watcher.Current.Tiers["enterprise"].InfraCostPerMonth); // the bill gives it nothing: not the typed 2,000
        var reloaded = new TaskCompletionSource<TenantDirectory>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Reloaded += d => reloaded.TrySetResult(d);

        // October arrives: the latest month now. Split by customers (pro 2 of 3): shared 600 → pro 400, enterprise 200;
        // pro 300 + 400 = 700; enterprise 400 + 200 = 600 plus globex's own 150 = 750.
        await File.WriteAllTextAsync(Path.Combine(bills, "2026-10.csv"), string.Join('\n', lines[..^1]) + "\n");
        var directory = await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(700m, directory.Tiers["pro"].InfraCostPerMonth);
        Assert.Equal(750m, directory.Tiers["enterprise"].InfraCostPerMonth);
        Assert.Equal(350m, directory.InfraCostOfTenant("acme"));
        Assert.Same(directory, watcher.Current);

        // A broken month is refused; the last good figures stay.
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.ReloadFailed += ex => failed.TrySetResult(ex);
        await File.WriteAllTextAsync(Path.Combine(bills, "2026-11.csv"), header + "\nabc,abc,USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,Usage,Amazon EC2,\n");
        var error = await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("2026-11.csv: row 1, column BilledCost: 'abc' is not a decimal number", error.Message, StringComparison.Ordinal);
        Assert.Equal(700m, watcher.Current.Tiers["pro"].InfraCostPerMonth);
    }

    private static AllocationBasis Basis() => new(
        new Dictionary<string, decimal> { ["acme"] = 30m, ["initech"] = 10m, ["globex"] = 60m },
        new Dictionary<string, long> { ["acme"] = 5, ["initech"] = 15, ["globex"] = 20 });

    private async Task WriteBillAsync(string name)
    {
        var path = Path.Combine(this.folder, name);
        await File.WriteAllTextAsync(Path.Combine(this.folder, "bill.csv"), BillCsv);
        if (!FocusFileReader.IsParquet(name))
        {
            return;
        }

        // The same rows, typed: decimals, timestamps, and Tags as a JSON string column.
        var csv = await FocusFileReader.ReadAsync(Path.Combine(this.folder, "bill.csv"));
        var columns = csv.Columns.Select(c => FocusSpec.Known.TryGetValue(c, out var known) ? known : new FocusColumn(c, FocusType.String, false, true)).ToList();
        var rows = Enumerable.Range(0, csv.Rows.Count).Select(r => columns.Select(c => c.Type switch
        {
            FocusType.Decimal => (object?)csv.Decimal(r, c.Name),
            FocusType.DateTime => csv.DateTime(r, c.Name),
            _ => csv.Text(r, c.Name),
        }).ToArray()).ToList();
        await FocusFileWriter.WriteAsync(new FocusOutput(columns, rows), path, FocusFileFormat.Parquet);
    }

    /// <summary>The tenant file: pro (acme, initech) typed at 500 a month, enterprise (globex) at 2,000; the bill's rules when <paramref name="billFile"/> is given.</summary>
    private TenantDirectory TenantFile(string? billFile, string split)
    {
        var file = Path.Combine(this.folder, "tenants.yaml");
        var infra = billFile is null ? string.Empty : $"""
            infra:
              cloud_bill: {billFile}
              include:
                tags: {"{"} app: chat {"}"}
              tier_tag: tier
              tenant_tag: tenant
              shared_split: {split}

            """;
        File.WriteAllText(file, $"""
            tiers:
              pro: {"{"} revenue_per_customer_per_month: 29, infra_cost_per_month: 500 {"}"}
              enterprise: {"{"} revenue_per_customer_per_month: 500, infra_cost_per_month: 2000 {"}"}
            tenants:
              acme: {"{"} tier: pro {"}"}
              initech: {"{"} tier: pro {"}"}
              globex: {"{"} tier: enterprise {"}"}
            {infra}
            """);
        return TenantDirectory.Load(file);
    }

    /// <summary>30 days of AI spend: acme 30 in 5 calls, initech 10 in 15, globex 60 in 20.</summary>
    private ReportInputs Inputs(TenantDirectory directory)
    {
        var inputs = new ReportInputs { FromUtc = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), ToUtc = new DateTime(2026, 10, 31, 0, 0, 0, DateTimeKind.Utc), Source = "test", Directory = directory };
        inputs.Tenants["acme"] = new TenantTotals { Tier = "pro", Cost = 30m, Calls = 5 };
        inputs.Tenants["initech"] = new TenantTotals { Tier = "pro", Cost = 10m, Calls = 15 };
        inputs.Tenants["globex"] = new TenantTotals { Tier = "enterprise", Cost = 60m, Calls = 20 };
        return inputs;
    }

    public void Dispose() => Directory.Delete(this.folder, recursive: true);
}
