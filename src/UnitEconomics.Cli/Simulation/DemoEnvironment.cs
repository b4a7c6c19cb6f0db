using OpenTelemetry;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.InfluxDB.Sink;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Simulation;

/// <summary>What the demo runs with.</summary>
public sealed record DemoSettings
{
    public int Days { get; init; } = 30;

    public int Seed { get; init; } = 42;

    public DateTime StartUtc { get; init; } = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The tenant file; the one shipped beside the program when null.</summary>
    public string? TenantFile { get; init; }

    /// <summary>Extra catalogs layered over the default one.</summary>
    public IReadOnlyList<string> Catalogs { get; init; } = [];

    /// <summary>Tokens one agent task may use before the budget middleware stops it.</summary>
    public long TaskTokenBudget { get; init; } = 30_000;

    /// <summary>Stamp spans with simulated time (off in --serve, where time is real).</summary>
    public bool SimulatedTime { get; init; } = true;

    public CollectorRegistry? Registry { get; init; }

    public InfluxDbOptions? Influx { get; init; }

    /// <summary>Which calls the report's model routing may move (sized from the rollup's per-call view).</summary>
    public RoutingRule Routing { get; init; } = new();

    /// <summary>How the report judges and sizes savings.</summary>
    public ReportOptions ReportOptions { get; init; } = new();

    /// <summary>More sinks fed by the engine (the FOCUS rollup of <c>--focus</c>).</summary>
    public IReadOnlyList<ICostSink> ExtraSinks { get; init; } = [];

    /// <summary>Meters every call as the providers would, for <c>demo --bills</c> (and plants the bills' flaws).</summary>
    public ProviderLedger? ProviderLedger { get; init; }

    public static string ShippedTenantFile => Path.Combine(AppContext.BaseDirectory, "demo", "demo-tenants.yaml");
}

/// <summary>
/// The real pipeline the demo drives: the OpenTelemetry SDK with the cost processor, the default
/// catalog, the tenant file, an in-process rollup for the report and, when asked, the Prometheus and
/// InfluxDB sinks.
/// </summary>
public sealed class DemoEnvironment : IAsyncDisposable
{
    private readonly TracerProvider tracing;

    private DemoEnvironment(DemoSettings settings)
    {
        this.Settings = settings;
        this.Directory = LoadDirectory(settings.TenantFile ?? DemoSettings.ShippedTenantFile, out var revenue);
        this.Revenue = revenue;
        this.Catalog = PriceCatalog.LoadDefaultAnd([.. settings.Catalogs]);
        this.Clock = new SimulatedClock(settings.StartUtc);
        this.Rollup = new CostRollup(settings.Routing);
        var sinks = new List<ICostSink> { this.Rollup };
        if (settings.Registry is not null)
        {
            this.Prometheus = new PrometheusCostSink(settings.Registry); // the engine hands it tenants and prices
            sinks.Add(this.Prometheus);
        }

        if (settings.Influx is not null)
        {
            this.Influx = new InfluxDbEventSink(settings.Influx);
            sinks.Add(new InfluxDbCostSink(this.Influx));
        }

        sinks.AddRange(settings.ExtraSinks);
        var options = new UnitEconomicsOptions { Budgets = { MaxTokensPerTask = settings.TaskTokenBudget } };
        this.Engine = new CostEngine(options, () => this.Catalog, () => this.Directory, sinks);
        var builder = Sdk.CreateTracerProviderBuilder().AddSource(SaasSimulator.SourceName);
        if (settings.SimulatedTime)
        {
            builder.AddProcessor(new SimulatedClockProcessor(this.Clock)); // before pricing: spans carry simulated time
        }

        this.tracing = builder.AddUnitEconomics(this.Engine).Build()!;
        this.Simulator = new SaasSimulator(this.Directory, this.Clock, this.Engine, settings.Seed, settings.ProviderLedger);
    }

    public DemoSettings Settings { get; }

    public TenantDirectory Directory { get; }

    /// <summary>The billing source's read when the tenant file names one (e.g. after --stripe-export).</summary>
    public UnitEconomics.Books.Revenue.LoadedRevenue? Revenue { get; }

    public PriceCatalog Catalog { get; }

    public SimulatedClock Clock { get; }

    public CostRollup Rollup { get; }

    public CostEngine Engine { get; }

    public PrometheusCostSink? Prometheus { get; }

    public InfluxDbEventSink? Influx { get; }

    public SaasSimulator Simulator { get; }

    /// <summary>Loads the tenant file and catalogs; their errors surface here as exceptions with file, entry and field.</summary>
    public static DemoEnvironment Create(DemoSettings settings) => new(settings);

    /// <summary>Runs every simulated day, reporting progress after each.</summary>
    public async Task RunAsync(Action<int, int>? progress = null)
    {
        for (var day = 0; day < this.Settings.Days; day++)
        {
            await this.Simulator.RunDayAsync(this.Settings.StartUtc.AddDays(day), day, this.Settings.Days);
            progress?.Invoke(day + 1, this.Settings.Days);
        }

        this.tracing.ForceFlush();
    }

    public UnitEconomicsReport Report(DateTime fromUtc, DateTime toUtc, string source)
    {
        var inputs = ReportInputs.FromRollup(this.Rollup, this.Directory, fromUtc, toUtc, source);
        inputs.Revenue = this.Revenue;
        Focus.CloudBillReport.Apply(inputs);
        return ReportBuilder.Build(inputs, this.Catalog, this.Settings.ReportOptions);
    }

    // The tenant file, with the billing source it names laid over it (the same path as ue report); a
    // source that cannot be read is an error here: the demo has no last good figures to fall back on.
    private static TenantDirectory LoadDirectory(string file, out UnitEconomics.Books.Revenue.LoadedRevenue? revenue)
    {
        var directory = TenantDirectory.Load(file);
        if (directory.RevenueSettings is null)
        {
            revenue = null;
            return directory;
        }

        revenue = UnitEconomics.Books.Revenue.RevenueLoader.ApplyAsync(directory).GetAwaiter().GetResult();
        return revenue.Error is { } error ? throw new TenantDirectoryException(error) : revenue.Directory;
    }

    public async ValueTask DisposeAsync()
    {
        this.tracing.Dispose();
        if (this.Influx is not null)
        {
            await this.Influx.DisposeAsync();
        }
    }
}
