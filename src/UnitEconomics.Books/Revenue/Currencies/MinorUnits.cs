namespace UnitEconomics.Books.Revenue.Currencies;

/// <summary>
/// Billing amounts arrive as integers in the currency's minor unit (cents for USD, yen for JPY). The
/// exponent is the currency's as the billing API uses it, which is not always ISO 4217's: Stripe keeps
/// ISK, HUF and TWD at two decimals for backward compatibility, and charges UGX as zero-decimal.
/// </summary>
public static class MinorUnits
{
    // Stripe's zero-decimal currencies (docs: "Supported currencies", zero-decimal list).
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    // Stripe's three-decimal currencies.
    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "bhd", "jod", "kwd", "omr", "tnd" };

    /// <summary>How many decimal places the minor unit has: 0, 2 or 3.</summary>
    public static int ExponentOf(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>An amount in minor units as the currency's major unit (1999 usd → 19.99; 1999 jpy → 1999).</summary>
    public static decimal ToMajor(decimal minor, string currency) => ExponentOf(currency) switch
    {
        0 => minor,
        3 => minor / 1000m,
        _ => minor / 100m,
    };
}
