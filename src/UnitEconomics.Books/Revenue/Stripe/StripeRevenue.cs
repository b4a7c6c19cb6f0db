using UnitEconomics.Books.Revenue.Figures;

namespace UnitEconomics.Books.Revenue.Stripe;

/// <summary>Turns what Stripe returned into each tenant's MRR and recognised revenue in USD (docs/tenants.md).</summary>
public static class StripeRevenue
{
    /// <summary>Reads the configured source (live API or saved lists) and computes the snapshot.</summary>
    /// <exception cref="RevenueSourceException">The source could not be read or used.</exception>
    /// <param name="settings">The tenant file's revenue settings.</param>
    /// <param name="environment">Reads the key's environment variable (tests pass their own).</param>
    /// <param name="retryDelay">First wait before retrying a 429 without Retry-After.</param>
    /// <param name="now">The day MRR is taken on and the months are counted back from; now by default.</param>
    /// <param name="cancel">Stops the read.</param>
    public static async Task<RevenueSnapshot> ReadAsync(RevenueSettings settings, Func<string, string?>? environment = null, TimeSpan? retryDelay = null, DateTimeOffset? now = null, CancellationToken cancel = default)
    {
        var asOf = now ?? DateTimeOffset.UtcNow;
        var months = RecognisedRevenue.CompleteMonthsBefore(asOf, settings.Months);

        // A yearly invoice paid up to a year before the window still pays for months inside it.
        var since = months[0].AddYears(-1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var billing = settings.Api is { } api
            ? await new StripeApiReader(api, environment, retryDelay).ReadAsync(since, cancel)
            : StripeSavedReader.Read(settings.Saved!);
        return Compute(billing, settings, asOf, months);
    }

    /// <summary>The snapshot of <paramref name="billing"/>: MRR as of <paramref name="asOf"/> (discounts in force, rates), recognised revenue for <paramref name="months"/>; read at the billing's time.</summary>
    public static RevenueSnapshot Compute(StripeBilling billing, RevenueSettings settings, DateTimeOffset asOf, IReadOnlyList<DateOnly> months)
    {
        var mapping = new StripeTenantMapping(settings.TenantMetadataKey, billing.Subscriptions);
        var mrr = MonthlyRecurringRevenue.Compute(billing.Subscriptions, mapping.OfSubscription, settings.PlanTiers, asOf.UtcDateTime);
        var recognised = RecognisedRevenue.Compute(billing.Invoices, billing.CreditNotes, mapping.OfInvoice, mapping.OfCustomer, months);
        var today = DateOnly.FromDateTime(asOf.UtcDateTime);

        var tenants = mrr.Select(m => m.Tenant).Concat(recognised.Select(r => r.Tenant)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var result = new List<TenantRevenue>();
        foreach (var tenant in tenants)
        {
            var subs = mrr.Where(m => m.Tenant == tenant).ToList();
            var revenue = recognised.Where(r => r.Tenant == tenant).ToList();
            var currencies = subs.Select(s => s.Currency).Concat(revenue.Select(r => r.Currency)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var missingRate = new SortedSet<string>(StringComparer.Ordinal);

            decimal? mrrUsd = 0m;
            foreach (var s in subs)
            {
                var usd = settings.Rates.ToUsd(s.Monthly, s.Currency, today);
                mrrUsd = usd is null || mrrUsd is null ? null : mrrUsd + usd;
                if (usd is null)
                {
                    missingRate.Add(s.Currency);
                }
            }

            var byMonth = new Dictionary<DateOnly, decimal?>();
            foreach (var month in months)
            {
                decimal? sum = 0m;
                foreach (var r in revenue.Where(r => r.Month == month))
                {
                    var usd = settings.Rates.ToUsd(r.Amount, r.Currency, month);
                    sum = usd is null || sum is null ? null : sum + usd;
                    if (usd is null)
                    {
                        missingRate.Add(r.Currency);
                    }
                }

                byMonth[month] = Cents(sum);
            }

            // The tier of the largest mapped plan among the tenant's subscriptions.
            var tier = subs.Where(s => s.Tier is not null).OrderByDescending(s => s.Monthly).Select(s => s.Tier).FirstOrDefault();
            var flag = missingRate.Count > 0
                ? $"billed in {string.Join(", ", missingRate.Select(c => c.ToUpperInvariant()))} with no USD rate (revenue.rates): excluded from margins"
                : subs.Select(s => s.Note).FirstOrDefault(n => n is not null);
            result.Add(new TenantRevenue(tenant, tier, currencies, Cents(mrrUsd), byMonth, flag));
        }

        return new RevenueSnapshot(settings.SourceName, settings.Figure, billing.ReadAt, months, result);
    }

    private static decimal? Cents(decimal? usd) => usd is { } v ? Math.Round(v, 2, MidpointRounding.AwayFromZero) : null;
}
