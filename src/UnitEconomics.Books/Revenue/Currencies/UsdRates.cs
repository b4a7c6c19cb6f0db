namespace UnitEconomics.Books.Revenue.Currencies;

/// <summary>One line of the dated rate table: from <paramref name="From"/> on, one unit of <paramref name="Currency"/> is <paramref name="Usd"/> USD.</summary>
public sealed record UsdRate(string Currency, decimal Usd, DateOnly From);

/// <summary>
/// Converts billed amounts to USD, the currency of every revenue figure the product shows. USD needs no
/// rate; any other currency needs a line of the configured table in force on the day asked about, else
/// the amount has no USD value (the tenant is flagged, never silently converted at 1:1 or at zero).
/// </summary>
public sealed class UsdRates
{
    private readonly Dictionary<string, UsdRate[]> byCurrency;

    public UsdRates(IEnumerable<UsdRate> rates)
    {
        this.byCurrency = rates
            .GroupBy(r => r.Currency.ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.From).ToArray(), StringComparer.Ordinal);
    }

    public static UsdRates None { get; } = new([]);

    /// <summary>The amount (major units of <paramref name="currency"/>) in USD on <paramref name="day"/>; null when no rate is in force.</summary>
    public decimal? ToUsd(decimal amount, string currency, DateOnly day)
    {
        if (string.Equals(currency, "usd", StringComparison.OrdinalIgnoreCase))
        {
            return amount;
        }

        if (!this.byCurrency.TryGetValue(currency.ToLowerInvariant(), out var lines))
        {
            return null;
        }

        UsdRate? inForce = null;
        foreach (var line in lines)
        {
            if (line.From <= day)
            {
                inForce = line;
            }
        }

        return inForce is null ? null : amount * inForce.Usd;
    }
}
