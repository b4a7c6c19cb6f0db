using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Engine;

/// <summary>Options of the cost engine, bound from configuration section <c>UnitEconomics</c>.</summary>
public sealed class UnitEconomicsOptions
{
    public const string SectionName = "UnitEconomics";

    /// <summary>Ship-with default catalog first, then these files layered on top, later overriding earlier.</summary>
    public bool UseDefaultCatalog { get; set; } = true;

    /// <summary>Price catalog files (native YAML/JSON or LiteLLM JSON), layered in order.</summary>
    public IList<string> PriceCatalogs { get; set; } = [];

    /// <summary>The tenant directory file (tiers, revenue, engagement); reloaded on change.</summary>
    public string? TenantFile { get; set; }

    public SpanReadingOptions Spans { get; set; } = new();

    /// <summary>Distinct tenant label values before new tenants fold into <c>__other__</c>.</summary>
    public int MaxTenants { get; set; } = 10_000;

    public BudgetOptions Budgets { get; set; } = new();

    /// <summary>An agent task whose root has not ended is closed after this long without a call.</summary>
    public TimeSpan TaskIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The in-process processor prices each GenAI span on the thread that ends it, before
    /// <c>OnEnd</c> returns, when true. When false (the default) it hands the span to one pricing
    /// thread per tracer provider, so ending a span costs the app little more than without the
    /// processor. A span is then priced at once when that thread is idle, within 100 ms under load,
    /// and always before a scrape of the Prometheus sink, a budget check of the budget middleware, and
    /// <c>ForceFlush</c> or shutdown of the tracer provider return. <see cref="CostEngine.BudgetExceeded"/> is raised on the thread that prices.
    /// </summary>
    public bool InlinePricing { get; set; }

    /// <summary>Spans waiting for the pricing thread at most (rounded up to a power of two); past it the app's thread prices.</summary>
    public int MaxPendingSpans { get; set; } = 8_192;

    /// <summary>Bound on agent tasks in flight; calls of tasks past it are still priced, not rolled up.</summary>
    public int MaxOpenTasks { get; set; } = 100_000;

    /// <summary>
    /// What the engine could not start with, each as the setting's key under <see cref="SectionName"/> and
    /// one line saying why: a tenant file or price catalog that is missing or does not load, a tenant cap
    /// that is not positive, a negative budget. A host checks this before it starts (the OTLP service
    /// does, and exits with the first problem); at run time a file that breaks is a reload failure instead.
    /// </summary>
    public IEnumerable<(string Key, string Problem)> FindProblems()
    {
        if (!string.IsNullOrEmpty(this.TenantFile))
        {
            var problem = !File.Exists(this.TenantFile) ? $"file '{this.TenantFile}' does not exist" : TenantFileProblem(this.TenantFile);
            if (problem is not null)
            {
                yield return (nameof(this.TenantFile), problem);
            }
        }

        var catalogs = this.PriceCatalogs.ToArray();
        var missing = Array.FindIndex(catalogs, c => !File.Exists(c));
        if (missing >= 0)
        {
            yield return ($"{nameof(this.PriceCatalogs)}:{missing}", $"file '{catalogs[missing]}' does not exist");
        }
        else if (CatalogProblem(catalogs, this.UseDefaultCatalog) is ({ } key, { } problem))
        {
            yield return (key, problem);
        }

        if (this.MaxTenants <= 0)
        {
            yield return (nameof(this.MaxTenants), "must be positive");
        }

        var budgets = this.Budgets;
        if (budgets.MaxTokensPerTask < 0 || budgets.MaxTokensPerSession < 0 || budgets.MaxUsdPerTenantPerMonth < 0 || budgets.DefaultReservedOutputTokens < 0)
        {
            yield return (nameof(this.Budgets), "budgets and the reserved output tokens must not be negative");
        }
    }

    private static string? TenantFileProblem(string path)
    {
        try
        {
            TenantDirectory.Load(path);
            return null;
        }
        catch (TenantDirectoryException e)
        {
            return e.Message;
        }
    }

    private static (string? Key, string? Problem) CatalogProblem(string[] catalogs, bool useDefault)
    {
        try
        {
            _ = useDefault ? PriceCatalog.LoadDefaultAnd(catalogs) : PriceCatalog.Load(catalogs);
            return (null, null);
        }
        catch (CatalogValidationException e)
        {
            var index = Array.FindIndex(catalogs, c => string.Equals(Path.GetFullPath(c), Path.GetFullPath(e.File), StringComparison.Ordinal));
            return (nameof(PriceCatalogs) + (index >= 0 ? $":{index}" : string.Empty), e.Message);
        }
    }
}
