using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Simulation;
using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Cli.Reconciliation;

/// <summary>Where one provider's bill is read from: saved responses, or its admin API with a key from the environment.</summary>
public sealed record BillSource
{
    public required ProviderApi Api { get; init; }

    public string? CostsFile { get; init; }

    public string? UsageFile { get; init; }

    /// <summary>The admin API's base URL (null: the provider's own).</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The environment variable holding the admin key; set for a live read.</summary>
    public string? KeyVariable { get; init; }

    public bool IsLive => this.KeyVariable is not null;

    public static BillSource OpenAi(string? costs, string? usage, Uri? baseUrl, string? keyVariable) =>
        new() { Api = OpenAiAdminApi.Api, CostsFile = costs, UsageFile = usage, BaseUrl = baseUrl, KeyVariable = keyVariable };

    public static BillSource Anthropic(string? costs, string? usage, Uri? baseUrl, string? keyVariable) =>
        new() { Api = AnthropicAdminApi.Api, CostsFile = costs, UsageFile = usage, BaseUrl = baseUrl, KeyVariable = keyVariable };
}

/// <summary>What <c>ue reconcile</c> runs with: parsed and checked by the command line, nothing parsed here.</summary>
public sealed record ReconcileSettings
{
    public required IReadOnlyList<BillSource> Bills { get; init; }

    /// <summary>The estimates' Prometheus; null with <see cref="Demo"/>.</summary>
    public Uri? Prometheus { get; init; }

    /// <summary>Run the demo and take its in-process rollup as the estimate (the month it simulates is the window).</summary>
    public DemoSettings? Demo { get; init; }

    /// <summary>The window's first UTC day; null: the bills' first day (saved bills) or <see cref="DefaultWindow"/> before today.</summary>
    public DateTime? FromUtc { get; init; }

    /// <summary>The window's end (exclusive, a UTC midnight); null: today's midnight, or the bills' end.</summary>
    public DateTime? ToUtc { get; init; }

    public TimeSpan DefaultWindow { get; init; } = TimeSpan.FromDays(7);

    public double Tolerance { get; init; } = Reconciler.DefaultTolerance;

    public IReadOnlyList<string> Catalogs { get; init; } = [];
}

/// <summary>
/// <c>ue reconcile</c>: reads the bills, takes the estimates from Prometheus or the demo, and reconciles
/// them (the command then writes the result and, when asked, pushes the <c>ai_billing_*</c> gauges).
/// </summary>
public static class ReconcileRunner
{
    public static async Task<ReconciliationResult> RunAsync(ReconcileSettings settings, Func<DateTime>? now = null, CancellationToken cancel = default)
    {
        if (settings.Bills.Count == 0)
        {
            throw new ReconciliationException("no bill to reconcile: give a provider's saved responses or its admin key variable");
        }

        var nowUtc = (now ?? (() => DateTime.UtcNow))();
        var (from, to) = settings.Demo is { } demo
            ? (demo.StartUtc.Date, demo.StartUtc.Date.AddDays(demo.Days))
            : Window(settings, nowUtc);
        var bills = new List<ProviderBill>();
        foreach (var bill in settings.Bills)
        {
            bills.Add(await ReadBillAsync(bill, from, to, cancel));
        }

        if (settings.Demo is null && settings.FromUtc is null && settings.Bills.All(b => !b.IsLive))
        {
            // Saved bills with no window given: the days they cover.
            var days = bills.SelectMany(b => b.Costs.Select(c => c.Day).Concat(b.Usage.Select(u => u.Day))).ToList();
            if (days.Count > 0)
            {
                (from, to) = (days.Min(), settings.ToUtc ?? days.Max().AddDays(1));
            }
        }

        var catalog = PriceCatalog.LoadDefaultAnd([.. settings.Catalogs]);
        List<EstimatedUsage> estimates;
        string source;
        if (settings.Demo is { } demoSettings)
        {
            // The same month as demo --bills: the same seed, and the ledger's same planted flaws.
            await using var environment = DemoEnvironment.Create(DemoBillsRun.WithLedger(demoSettings));
            await environment.RunAsync();
            estimates = EstimateSources.FromRollup(environment.Rollup);
            source = $"demo (seed {demoSettings.Seed}, {demoSettings.Days} days)";
        }
        else
        {
            var prometheus = settings.Prometheus ?? throw new ReconciliationException("the estimates need --prometheus URL or --demo");
            using var reader = new PrometheusReportSource(prometheus);
            estimates = await EstimateSources.FromPrometheusAsync(reader, from, to, nowUtc, cancel);
            source = $"prometheus {prometheus}";
        }

        return Reconciler.Reconcile(bills, estimates, catalog, from, to, source, settings.Tolerance);
    }

    private static (DateTime From, DateTime To) Window(ReconcileSettings settings, DateTime nowUtc)
    {
        var to = settings.ToUtc ?? nowUtc.Date;
        var from = settings.FromUtc ?? (to - settings.DefaultWindow).Date;
        if (from >= to)
        {
            throw new ReconciliationException($"the window {from:yyyy-MM-dd} to {to:yyyy-MM-dd} is empty");
        }

        return (from, to);
    }

    private static async Task<ProviderBill> ReadBillAsync(BillSource source, DateTime from, DateTime to, CancellationToken cancel)
    {
        if (source.IsLive)
        {
            using var client = AdminApiClient.FromEnvironment(source.Api, source.BaseUrl, source.KeyVariable!);
            return await client.ReadBillAsync(from, to, cancel);
        }

        if (source.CostsFile is null || source.UsageFile is null)
        {
            throw new ReconciliationException($"{source.Api.Provider}: a saved bill needs both its costs and its usage responses");
        }

        return SavedBillReader.Read(source.Api, source.CostsFile, source.UsageFile);
    }
}
