using System.Collections.Frozen;

namespace UnitEconomics.Books.Focus;

/// <summary>The data type a FOCUS column declares (FOCUS 1.2, "Content Constraints").</summary>
public enum FocusType
{
    String,
    Decimal,
    DateTime,
    Json,
}

/// <summary>One column of the FOCUS 1.2 specification as this project writes and checks it.</summary>
/// <param name="Name">The column id (FOCUS spells ids in PascalCase; custom columns start with <c>x_</c>).</param>
/// <param name="Type">Its data type.</param>
/// <param name="Mandatory">Feature level Mandatory: every FOCUS dataset has it.</param>
/// <param name="AllowsNulls">Whether the spec lets it be null (some nullable columns have conditions, checked separately).</param>
public sealed record FocusColumn(string Name, FocusType Type, bool Mandatory, bool AllowsNulls);

/// <summary>
/// The FOCUS 1.2 columns the project uses, read from the specification's column pages at tag v1.2 of
/// github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec (specification/columns/*.md); docs/focus.md
/// lists them with their source.
/// </summary>
public static class FocusSpec
{
    public const string Version = "1.2";

    public const string BilledCost = "BilledCost";
    public const string BillingAccountId = "BillingAccountId";
    public const string BillingAccountName = "BillingAccountName";
    public const string BillingCurrency = "BillingCurrency";
    public const string BillingPeriodEnd = "BillingPeriodEnd";
    public const string BillingPeriodStart = "BillingPeriodStart";
    public const string ChargeCategory = "ChargeCategory";
    public const string ChargeClass = "ChargeClass";
    public const string ChargeDescription = "ChargeDescription";
    public const string ChargePeriodEnd = "ChargePeriodEnd";
    public const string ChargePeriodStart = "ChargePeriodStart";
    public const string ContractedCost = "ContractedCost";
    public const string EffectiveCost = "EffectiveCost";
    public const string InvoiceIssuerName = "InvoiceIssuerName";
    public const string ListCost = "ListCost";
    public const string PricingQuantity = "PricingQuantity";
    public const string PricingUnit = "PricingUnit";
    public const string ProviderName = "ProviderName";
    public const string PublisherName = "PublisherName";
    public const string ServiceCategory = "ServiceCategory";
    public const string ServiceName = "ServiceName";

    public const string ChargeFrequency = "ChargeFrequency";
    public const string ConsumedQuantity = "ConsumedQuantity";
    public const string ConsumedUnit = "ConsumedUnit";
    public const string ServiceSubcategory = "ServiceSubcategory";
    public const string SkuId = "SkuId";
    public const string SkuPriceId = "SkuPriceId";
    public const string SubAccountId = "SubAccountId";
    public const string Tags = "Tags";

    /// <summary>The 21 columns FOCUS 1.2 marks Mandatory, in the spec's (alphabetical) order.</summary>
    public static readonly IReadOnlyList<FocusColumn> Mandatory =
    [
        new(BilledCost, FocusType.Decimal, true, false),
        new(BillingAccountId, FocusType.String, true, false),
        new(BillingAccountName, FocusType.String, true, true),
        new(BillingCurrency, FocusType.String, true, false),
        new(BillingPeriodEnd, FocusType.DateTime, true, false),
        new(BillingPeriodStart, FocusType.DateTime, true, false),
        new(ChargeCategory, FocusType.String, true, false),
        new(ChargeClass, FocusType.String, true, true),
        new(ChargeDescription, FocusType.String, true, true),
        new(ChargePeriodEnd, FocusType.DateTime, true, false),
        new(ChargePeriodStart, FocusType.DateTime, true, false),
        new(ContractedCost, FocusType.Decimal, true, false),
        new(EffectiveCost, FocusType.Decimal, true, false),
        new(InvoiceIssuerName, FocusType.String, true, false),
        new(ListCost, FocusType.Decimal, true, false),
        new(PricingQuantity, FocusType.Decimal, true, true),
        new(PricingUnit, FocusType.String, true, true),
        new(ProviderName, FocusType.String, true, false),
        new(PublisherName, FocusType.String, true, false),
        new(ServiceCategory, FocusType.String, true, false),
        new(ServiceName, FocusType.String, true, false),
    ];

    /// <summary>Conditional and recommended columns the export also writes (and the check verifies when present).</summary>
    public static readonly IReadOnlyList<FocusColumn> Optional =
    [
        new(ChargeFrequency, FocusType.String, false, false),
        new(ConsumedQuantity, FocusType.Decimal, false, true),
        new(ConsumedUnit, FocusType.String, false, true),
        new(ServiceSubcategory, FocusType.String, false, false),
        new(SkuId, FocusType.String, false, true),
        new(SkuPriceId, FocusType.String, false, true),
        new(SubAccountId, FocusType.String, false, true),
        new(Tags, FocusType.Json, false, true),
    ];

    public static readonly FrozenDictionary<string, FocusColumn> Known =
        Mandatory.Concat(Optional).ToFrozenDictionary(c => c.Name, StringComparer.Ordinal);

    public static readonly FrozenSet<string> ChargeCategories = new[] { "Usage", "Purchase", "Tax", "Credit", "Adjustment" }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> ChargeFrequencies = new[] { "One-Time", "Recurring", "Usage-Based" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The only non-null ChargeClass.</summary>
    public const string Correction = "Correction";

    public const string AiServiceCategory = "AI and Machine Learning";

    public static readonly FrozenSet<string> ServiceCategories = new[]
    {
        AiServiceCategory, "Analytics", "Business Applications", "Compute", "Databases", "Developer Tools", "Multicloud",
        "Identity", "Integration", "Internet of Things", "Management and Governance", "Media", "Migration", "Mobile",
        "Networking", "Security", "Storage", "Web", "Other",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// ISO 4217 active alphabetic codes (national currencies, plus the X-codes a bill may carry), so an
    /// unknown currency is refused rather than summed with dollars. Spelled out: the project runs with
    /// invariant globalization, which has no currency table.
    /// </summary>
    public static readonly FrozenSet<string> Currencies = """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
        CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
        GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
        KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
        NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL
        SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES
        VND VUV WST XAF XCD XCG XDR XOF XPF XSU XUA YER ZAR ZMW ZWG ZWL
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
