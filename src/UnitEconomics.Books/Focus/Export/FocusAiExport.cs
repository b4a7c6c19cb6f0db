using UnitEconomics.Books.Focus.Files;

namespace UnitEconomics.Books.Focus.Export;

/// <summary>
/// Turns lines of AI spend into FOCUS 1.2 rows: every mandatory column, the AI mapping (the model as SKU,
/// tokens as consumed and pricing quantity, ServiceCategory "AI and Machine Learning", the model provider
/// as provider, publisher and invoice issuer) and the project's <c>x_</c> columns. docs/focus.md maps each
/// column.
/// </summary>
public static class FocusAiExport
{
    public const string XTenant = "x_Tenant";
    public const string XTier = "x_Tier";
    public const string XUseCase = "x_UseCase";
    public const string XCostSource = "x_CostSource";
    public const string XRequests = "x_Requests";
    public const string XInputTokens = "x_InputTokens";
    public const string XCacheReadTokens = "x_CacheReadTokens";
    public const string XCacheWriteTokens = "x_CacheWriteTokens";
    public const string XOutputTokens = "x_OutputTokens";
    public const string XReasoningTokens = "x_ReasoningTokens";

    public const string Currency = "USD";
    public const string TokensUnit = "Tokens";
    public const string RequestsUnit = "Requests";

    /// <summary>The columns of the export, in the order written.</summary>
    public static readonly IReadOnlyList<FocusColumn> Columns =
    [
        .. FocusSpec.Mandatory,
        FocusSpec.Known[FocusSpec.ChargeFrequency],
        FocusSpec.Known[FocusSpec.ConsumedQuantity],
        FocusSpec.Known[FocusSpec.ConsumedUnit],
        FocusSpec.Known[FocusSpec.ServiceSubcategory],
        FocusSpec.Known[FocusSpec.SkuId],
        FocusSpec.Known[FocusSpec.SkuPriceId],
        new(XTenant, FocusType.String, false, true),
        new(XTier, FocusType.String, false, false),
        new(XUseCase, FocusType.String, false, false),
        new(XCostSource, FocusType.String, false, true),
        new(XRequests, FocusType.Decimal, false, false),
        new(XInputTokens, FocusType.Decimal, false, false),
        new(XCacheReadTokens, FocusType.Decimal, false, false),
        new(XCacheWriteTokens, FocusType.Decimal, false, false),
        new(XOutputTokens, FocusType.Decimal, false, false),
        new(XReasoningTokens, FocusType.Decimal, false, false),
    ];

    /// <summary>The rows for <paramref name="lines"/>, ordered by day, provider, model, use case, tier and tenant; lines with neither cost nor calls are left out.</summary>
    public static FocusOutput Build(IEnumerable<AiCostLine> lines)
    {
        var rows = lines
            .Where(l => l.Cost != 0m || l.Requests != 0)
            .OrderBy(l => l.ChargeStartUtc)
            .ThenBy(l => l.Provider, StringComparer.Ordinal)
            .ThenBy(l => l.Model, StringComparer.Ordinal)
            .ThenBy(l => l.UseCase, StringComparer.Ordinal)
            .ThenBy(l => l.Tier, StringComparer.Ordinal)
            .ThenBy(l => l.Tenant, StringComparer.Ordinal)
            .Select(Row)
            .ToList();
        return new FocusOutput(Columns, rows);
    }

    private static object?[] Row(AiCostLine line)
    {
        var month = new DateTime(line.ChargeStartUtc.Year, line.ChargeStartUtc.Month, 1, 0, 0, 0, DateTimeKind.Utc);

        // Tokens are what a model call is priced by; a call priced per call (vector search, rerank) has none, so it counts in calls.
        var byTokens = line.Tokens.Total > 0;
        decimal quantity = byTokens ? line.Tokens.Total : line.Requests;
        var unit = byTokens ? TokensUnit : RequestsUnit;
        var sku = line.Provider + "/" + line.Model;
        var tenant = line.Tenant is null ? string.Empty : $", tenant {line.Tenant}";
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [FocusSpec.BilledCost] = line.Cost,
            [FocusSpec.BillingAccountId] = line.Provider,
            [FocusSpec.BillingAccountName] = null,
            [FocusSpec.BillingCurrency] = Currency,
            [FocusSpec.BillingPeriodEnd] = month.AddMonths(1),
            [FocusSpec.BillingPeriodStart] = month,
            [FocusSpec.ChargeCategory] = "Usage",
            [FocusSpec.ChargeClass] = null,
            [FocusSpec.ChargeDescription] = $"{line.Model} calls for use case {line.UseCase}, tier {line.Tier}{tenant}",
            [FocusSpec.ChargePeriodEnd] = line.ChargeEndUtc,
            [FocusSpec.ChargePeriodStart] = line.ChargeStartUtc,
            [FocusSpec.ContractedCost] = line.Cost,
            [FocusSpec.EffectiveCost] = line.Cost,
            [FocusSpec.InvoiceIssuerName] = line.Provider,
            [FocusSpec.ListCost] = line.Cost,
            [FocusSpec.PricingQuantity] = quantity,
            [FocusSpec.PricingUnit] = unit,
            [FocusSpec.ProviderName] = line.Provider,
            [FocusSpec.PublisherName] = line.Provider,
            [FocusSpec.ServiceCategory] = FocusSpec.AiServiceCategory,
            [FocusSpec.ServiceName] = line.Provider + " API",
            [FocusSpec.ChargeFrequency] = "Usage-Based",
            [FocusSpec.ConsumedQuantity] = quantity,
            [FocusSpec.ConsumedUnit] = unit,
            [FocusSpec.ServiceSubcategory] = "Generative AI",
            [FocusSpec.SkuId] = sku,
            [FocusSpec.SkuPriceId] = sku,
            [XTenant] = line.Tenant,
            [XTier] = line.Tier,
            [XUseCase] = line.UseCase,
            [XCostSource] = line.CostSource,
            [XRequests] = (decimal)line.Requests,
            [XInputTokens] = (decimal)line.Tokens.Input,
            [XCacheReadTokens] = (decimal)line.Tokens.CacheRead,
            [XCacheWriteTokens] = (decimal)line.Tokens.CacheWrite,
            [XOutputTokens] = (decimal)line.Tokens.Output,
            [XReasoningTokens] = (decimal)line.Tokens.Reasoning,
        };
        return [.. Columns.Select(c => values[c.Name])];
    }
}
