namespace UnitEconomics.Cli.Reporting;

/// <summary>What a column holds, which decides its alignment and how it is written.</summary>
public enum ColumnKind
{
    /// <summary>Words: left-aligned.</summary>
    Text,
    /// <summary>USD as decimal; null is "unknown" (an unpriced model), never zero.</summary>
    Money,
    /// <summary>A whole number.</summary>
    Count,
    /// <summary>A share between 0 and 1, shown as a percentage; null is "—" (nothing to divide by).</summary>
    Percent,
    /// <summary>A decimal figure (means, engagement).</summary>
    Number,
    /// <summary>A multiplier such as 5.2x; null is "—".</summary>
    Multiplier,
}

/// <summary>A column: its header for people, its name in CSV files, what it holds, and what an empty value reads as.</summary>
public sealed record Column(string Header, string CsvName, ColumnKind Kind, string NullText = "—");

/// <summary>One table of the report, defined once for the terminal, Markdown and CSV.</summary>
/// <param name="Name">The CSV file's name (without <c>.csv</c>).</param>
/// <param name="Note">What the columns mean, printed under the title.</param>
public sealed record ReportTable(string Name, string Title, string? Note, IReadOnlyList<Column> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>The report's tables, in reading order.</summary>
public static class ReportTables
{
    public static IReadOnlyList<ReportTable> Of(UnitEconomicsReport r, bool allTenants = false)
    {
        var tenants = allTenants ? r.AllTenants : r.TopTenants;
        return
        [
            new("tiers", "Margin per tier (per customer per month)",
                r.MonthlyFigures
                    ? "AI cost in the window scaled to 30 days; infra is the tier's monthly infrastructure cost shared by its customers."
                    : $"The window ({r.WindowDays.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} days) is too short to stand for a month: AI cost is shown for the window only, no monthly cost or margin.",
                [T("tier"), C("customers"), M("AI cost in window", "ai_cost_usd"), M("AI/customer", "ai_cost_per_customer_month_usd"), M("infra/customer", "infra_cost_per_customer_month_usd"),
                 M("cost/customer", "cost_per_customer_month_usd"), M("revenue/customer", "revenue_per_customer_month_usd"), M("margin/customer", "margin_per_customer_month_usd"), P("margin %", "margin_ratio")],
                [.. r.Tiers.Select(t => new object?[] { t.Tier, (long)t.Customers, t.AiCost, t.AiCostPerCustomerPerMonth, t.InfraCostPerCustomerPerMonth, t.CostPerCustomerPerMonth, t.RevenuePerCustomerPerMonth, t.MarginPerCustomerPerMonth, t.MarginPercent })]),
            new("use_cases", "Cost per use case",
                "calls = priced calls (model calls, per-call services, cache lookups); cache hit rate = hits ÷ semantic-cache lookups; prompt-cache read share = cache-read input tokens ÷ all input tokens.",
                [T("use case", "use_case"), M("cost", "cost_usd"), P("share of spend", "share_of_spend"), C("calls"), C("unpriced calls", "unpriced_calls"), M("cost/call", "cost_per_call_usd"),
                 C("cache lookups", "cache_lookups"), C("cache hits", "cache_hits"), P("cache hit rate", "cache_hit_rate"), P("prompt-cache read share", "prompt_cache_read_share")],
                [.. r.UseCases.Select(u => new object?[] { u.UseCase, u.Cost, u.ShareOfSpend, u.Calls, u.UnpricedCalls, u.CostPerCall, u.CacheLookups, u.CacheHits, u.CacheHitRate, u.PromptCacheReadShare })]),
            .. UserRequestSection.Tables(r),
            new("models", "Cost per model",
                "Token columns are disjoint: uncached input excludes cache reads and writes; output excludes reasoning. Cost \"unknown\": the catalog has no price for the model.",
                [T("provider"), T("model"), M("cost", "cost_usd") with { NullText = "unknown" }, C("calls"), C("unpriced calls", "unpriced_calls"), C("uncached input", "uncached_input_tokens"), C("cache read", "cache_read_tokens"),
                 C("cache write", "cache_write_tokens"), C("output", "output_tokens"), C("reasoning", "reasoning_tokens"), P("prompt-cache read share", "prompt_cache_read_share")],
                [.. r.Models.Select(m => new object?[] { m.Provider, m.Model, m.Cost, m.Calls, m.UnpricedCalls, m.UncachedInputTokens, m.CacheReadTokens, m.CacheWriteTokens, m.OutputTokens, m.ReasoningTokens, m.PromptCacheReadShare })]),
            new("tenants", allTenants ? "Tenants by cost" : $"Top {tenants.Count} tenants by cost",
                "cost/month = cost in the window scaled to 30 days; AI margin = revenue − AI cost; infra = the tenant's share from the cloud bill, else an equal share of its tier's; margin = AI margin − infra.",
                [T("tenant"), T("tier"), M("cost", "cost_usd"), C("calls"), M("cost/month", "cost_per_month_usd"), M("revenue/month", "revenue_per_month_usd"), M("AI margin/month", "ai_margin_per_month_usd"),
                 M("infra/month", "infra_per_month_usd"), M("margin/month", "margin_per_month_usd"), N("engagement")],
                [.. tenants.Select(t => new object?[] { t.Tenant, t.Tier, t.Cost, t.Calls, t.CostPerMonth, t.RevenuePerMonth, t.AiMarginPerMonth, t.InfraPerMonth, t.MarginPerMonth, t.Engagement })]),
            new("agents", "Agent tasks against single-shot calls",
                "multiplier = mean cost of an agent task ÷ mean cost of a single-shot completion in the same use case.",
                [T("use case", "use_case"), C("tasks"), M("cost/task", "mean_task_cost_usd"), N("model calls/task", "mean_model_calls"), N("tokens/task", "mean_tokens"), C("single shots", "single_shots"),
                 M("cost/single shot", "mean_single_shot_cost_usd"), X("multiplier")],
                [.. r.Agents.Select(a => new object?[] { a.UseCase, a.Tasks, a.MeanTaskCost, a.MeanModelCalls, a.MeanTokens, a.SingleShots, a.MeanSingleShotCost, a.Multiplier })]),
            new("red_flags", $"Red flags ({r.RedFlags.Count})", null,
                [T("alert"), T("severity"), T("subject"), N("value"), N("threshold"), T("figure", "detail")],
                [.. r.RedFlags.Select(f => new object?[] { f.Alert, f.Severity, f.Subject, f.Value, f.Threshold, f.Detail })]),
            new("savings", "Savings opportunities",
                "Per use case the levers apply in order — semantic caching, model routing, batch — each on the cost the one before left (base cost), so they add up and never exceed the use case's cost.",
                [T("lever"), T("use case", "use_case"), M("base cost", "base_cost_usd"), M("estimated saving", "estimated_saving_usd"), P("%", "saving_ratio"), T("how"), T("assumption")],
                [.. r.Savings.Select(s => new object?[] { s.Lever, s.UseCase, s.BaseCost, s.EstimatedSaving, s.Percent, s.How, s.Assumption ?? "—" })]),
            new("realised_savings", "Savings already realised", "What the levers in use saved in the window, against list prices without them.",
                [T("lever"), T("use case", "use_case"), M("saving", "saving_usd"), T("how")],
                [.. r.RealisedSavings.Select(s => new object?[] { s.Lever, s.UseCase, s.Saving, s.How })]),
            .. RevenueSection.Tables(r.Revenue),
        ];
    }

    private static Column T(string header, string? csv = null) => new(header, csv ?? header, ColumnKind.Text);

    private static Column M(string header, string csv) => new(header, csv, ColumnKind.Money);

    private static Column C(string header, string? csv = null) => new(header, csv ?? header, ColumnKind.Count);

    private static Column P(string header, string csv) => new(header, csv, ColumnKind.Percent);

    private static Column N(string header, string? csv = null) => new(header, csv ?? header, ColumnKind.Number);

    private static Column X(string header) => new(header, header, ColumnKind.Multiplier);
}
