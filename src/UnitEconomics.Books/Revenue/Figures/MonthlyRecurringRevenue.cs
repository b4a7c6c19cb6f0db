using global::Stripe;
using UnitEconomics.Books.Revenue.Currencies;

namespace UnitEconomics.Books.Revenue.Figures;

/// <summary>One subscription's contribution to its tenant's MRR, in the subscription's currency (major units).</summary>
/// <param name="Tenant">The tenant it maps to.</param>
/// <param name="Currency">Lower-case ISO code, as Stripe gives it.</param>
/// <param name="Monthly">Recurring revenue per month after quantity and discounts; 0 while trialing.</param>
/// <param name="Tier">The tier its plan maps to (the mapped item with the largest amount); null when none maps.</param>
/// <param name="Note">Why part of it was left out (a metered or tiered price), if any.</param>
public sealed record SubscriptionMrr(string SubscriptionId, string Tenant, string Currency, decimal Monthly, string? Tier, string? Note);

/// <summary>
/// Monthly recurring revenue (MRR), as docs/tenants.md defines it: for each subscription that is
/// <c>active</c> or <c>past_due</c>, the sum over its licensed recurring items of
/// <c>unit_amount × quantity</c> normalised to one month (÷ interval_count; a year ÷ 12, a week × 52/12,
/// a day × 365/12), less its discounts that still apply (percent-off, then amount-off normalised the same
/// way, in the order Stripe lists them; never below 0; a <c>once</c> coupon is one invoice, not
/// recurring, so it is left out). <c>trialing</c> counts 0; <c>canceled</c>, <c>incomplete</c>,
/// <c>incomplete_expired</c>, <c>unpaid</c> and <c>paused</c> are not recurring revenue and are left out.
/// </summary>
public static class MonthlyRecurringRevenue
{
    private static readonly HashSet<string> Paying = new(StringComparer.Ordinal) { "active", "past_due" };

    /// <summary>The subscriptions that count (trials at 0), with their tenant, tier and monthly amount.</summary>
    /// <exception cref="RevenueSourceException">A discount whose coupon was not expanded (the figure would be wrong).</exception>
    internal static List<SubscriptionMrr> Compute(IEnumerable<Subscription> subscriptions, Func<Subscription, string> tenantOf, IReadOnlyDictionary<string, string> planTiers, DateTime now)
    {
        var result = new List<SubscriptionMrr>();
        foreach (var s in subscriptions)
        {
            var trialing = s.Status == "trialing";
            if (!trialing && !Paying.Contains(s.Status))
            {
                continue;
            }

            string? note = null;
            var subtotal = 0m;
            var perMonth = 1m;
            var tierAmount = -1m;
            string? tier = null;
            foreach (var item in s.Items?.Data ?? [])
            {
                var price = item.Price;
                if (price?.Recurring is not { } recurring)
                {
                    continue;
                }

                perMonth = MonthlyFactor(recurring.Interval, recurring.IntervalCount, s.Id);
                var unit = price.UnitAmountDecimal ?? price.UnitAmount;
                if (recurring.UsageType == "metered" || unit is null)
                {
                    note = $"price {price.Id} is metered or tiered: not in MRR";
                    continue;
                }

                var amount = unit.Value * item.Quantity * perMonth;
                subtotal += amount;
                if (TierOf(price, planTiers) is { } mapped && amount > tierAmount)
                {
                    (tier, tierAmount) = (mapped, amount);
                }
            }

            var monthlyMinor = trialing ? 0m : ApplyDiscounts(s, subtotal, perMonth, now);
            result.Add(new SubscriptionMrr(s.Id, tenantOf(s), s.Currency, MinorUnits.ToMajor(monthlyMinor, s.Currency), tier, note));
        }

        return result;
    }

    /// <summary>How many of one interval fit in a month.</summary>
    internal static decimal MonthlyFactor(string interval, long count, string subscriptionId)
    {
        var n = count > 0 ? count : 1;
        return interval switch
        {
            "month" => 1m / n,
            "year" => 1m / (12m * n),
            "week" => 52m / (12m * n),
            "day" => 365m / (12m * n),
            _ => throw new RevenueSourceException($"stripe: subscription {subscriptionId}: unknown recurring interval '{interval}'"),
        };
    }

    private static string? TierOf(Price price, IReadOnlyDictionary<string, string> planTiers) =>
        planTiers.TryGetValue(price.Id ?? string.Empty, out var t) ? t
        : price.LookupKey is { } lk && planTiers.TryGetValue(lk, out t) ? t
        : price.ProductId is { } product && planTiers.TryGetValue(product, out t) ? t
        : null;

    private static decimal ApplyDiscounts(Subscription s, decimal subtotal, decimal perMonth, DateTime now)
    {
        var total = subtotal;
        var ids = s.DiscountIds ?? [];
        var discounts = s.Discounts ?? [];
        for (var i = 0; i < ids.Count; i++)
        {
            var discount = i < discounts.Count ? discounts[i] : null;
            var coupon = discount?.Source?.Coupon;
            if (coupon is null)
            {
                throw new RevenueSourceException($"stripe: subscription {s.Id}: discount {ids[i]} has no expanded coupon; list subscriptions with expand[]=data.discounts.source.coupon");
            }

            var ended = discount!.End is { } end && end <= now;
            if (ended || coupon.Duration == "once")
            {
                continue;
            }

            if (coupon.PercentOff is { } percent)
            {
                total -= total * percent / 100m;
            }
            else if (coupon.AmountOff is { } off && string.Equals(coupon.Currency, s.Currency, StringComparison.OrdinalIgnoreCase))
            {
                total -= off * perMonth;
            }
        }

        return total < 0m ? 0m : total;
    }
}
