namespace UnitEconomics.Deploy.Tests;

/// <summary>The names of DESIGN.md section 5, written out here so the tests fail when a file drifts.</summary>
internal static class Contract
{
    public static readonly string[] Alerts =
    [
        "AIMarginCompression", "AINegativeGrossMargin", "AIFreeTierSubsidyHigh",
        "AIAgentCostMultiplierHigh", "AISpendEngagementUncorrelated", "AIUnpricedModelCalls",
        "AITenantNegativeMargin", "AITenantSpendSpike",
        "AICostEstimateDrift", "AITracingCoverageLow", "AIBillingReconciliationStale",
    ];

    private static readonly string[] Counters =
    [
        "ai_cost_usd_total", "ai_tenant_cost_usd_total", "ai_tokens_total", "ai_requests_total", "ai_tenant_requests_total",
        "ai_unpriced_requests_total", "ai_agent_tasks_total", "ai_budget_exceeded_total", "ai_tenant_overflow_total",
    ];

    private static readonly string[] Histograms =
    [
        "ai_request_cost_usd", "ai_agent_task_cost_usd", "ai_agent_task_model_calls", "ai_agent_task_tokens", "ai_single_shot_cost_usd",
        "ai_user_request_cost_usd",
    ];

    private static readonly string[] Gauges =
    [
        "ai_tenant_info", "ai_tenant_revenue_usd_per_month", "ai_tenant_engagement", "ai_infra_cost_usd_per_month",
        "ai_model_price_usd_per_million_tokens", "ai_model_price_usd_per_call",
        "ai_billing_estimate_ratio", "ai_billing_token_coverage_ratio", "ai_billing_reconciled_until_timestamp_seconds",
    ];

    /// <summary>Every series name a query may select: counters, gauges, and histogram _bucket/_sum/_count.</summary>
    public static readonly HashSet<string> SeriesNames =
    [
        .. Counters,
        .. Gauges,
        .. Histograms.SelectMany(h => new[] { h + "_bucket", h + "_sum", h + "_count" }),
    ];
}
