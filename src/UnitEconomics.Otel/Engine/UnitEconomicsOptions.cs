using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Spans;

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
}
