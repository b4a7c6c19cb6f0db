using global::Stripe;
using UnitEconomics.Books.Revenue.Currencies;

namespace UnitEconomics.Books.Revenue.Figures;

/// <summary>A tenant's recognised revenue in one calendar month, in one currency (major units).</summary>
public sealed record MonthlyRevenue(string Tenant, string Currency, DateOnly Month, decimal Amount);

/// <summary>
/// Recognised revenue per tenant per calendar month (UTC), as docs/tenants.md defines it: each paid
/// invoice's <c>amount_paid</c>, less the issued (not void) credit notes against it, is spread over the
/// service period it pays for — from its lines' <c>period</c> (earliest start to latest end), else the
/// invoice's <c>period_start</c>/<c>period_end</c> — in proportion to the time of that period falling in
/// each month; an invoice with no service period counts whole in the month it was paid. A credit note
/// against an invoice outside the window counts, negative, in the month it was created. Tax is
/// included as billed.
/// </summary>
public static class RecognisedRevenue
{
    internal static List<MonthlyRevenue> Compute(
        IEnumerable<Invoice> invoices,
        IEnumerable<CreditNote> creditNotes,
        Func<Invoice, string> tenantOf,
        Func<string?, string> tenantOfCustomer,
        IReadOnlyList<DateOnly> months)
    {
        var sums = new Dictionary<(string Tenant, string Currency, DateOnly Month), decimal>();
        var credited = new Dictionary<string, long>(StringComparer.Ordinal);
        var paid = invoices.Where(i => i.Status == "paid").ToList();
        var paidIds = paid.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var note in creditNotes)
        {
            if (note.Status == "void")
            {
                continue;
            }

            if (note.InvoiceId is { } invoiceId && paidIds.Contains(invoiceId))
            {
                credited[invoiceId] = credited.GetValueOrDefault(invoiceId) + note.Amount;
            }
            else
            {
                var at = DateOnly.FromDateTime(note.Created);
                Add(sums, months, tenantOfCustomer(note.CustomerId), note.Currency, at, -MinorUnits.ToMajor(note.Amount, note.Currency));
            }
        }

        foreach (var invoice in paid)
        {
            var net = MinorUnits.ToMajor(invoice.AmountPaid - credited.GetValueOrDefault(invoice.Id), invoice.Currency);
            var (start, end) = ServicePeriod(invoice);
            var tenant = tenantOf(invoice);
            if (end <= start)
            {
                var day = DateOnly.FromDateTime(invoice.StatusTransitions?.PaidAt ?? invoice.Created);
                Add(sums, months, tenant, invoice.Currency, day, net);
                continue;
            }

            var length = (decimal)(end - start).Ticks;
            foreach (var month in months)
            {
                var from = month.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
                var to = from.AddMonths(1);
                var overlap = (Min(end, to) - Max(start, from)).Ticks;
                if (overlap > 0)
                {
                    Add(sums, months, tenant, invoice.Currency, month, net * overlap / length);
                }
            }
        }

        return [.. sums.Select(kv => new MonthlyRevenue(kv.Key.Tenant, kv.Key.Currency, kv.Key.Month, kv.Value))];
    }

    /// <summary>The complete calendar months before <paramref name="now"/>, oldest first, the last being the month before now's.</summary>
    public static IReadOnlyList<DateOnly> CompleteMonthsBefore(DateTimeOffset now, int count)
    {
        var current = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);
        return [.. Enumerable.Range(1, count).Select(i => current.AddMonths(-i)).Reverse()];
    }

    private static (DateTime Start, DateTime End) ServicePeriod(Invoice invoice)
    {
        var lines = invoice.Lines?.Data ?? [];
        var periods = lines.Where(l => l.Period is not null).Select(l => l.Period).ToList();
        if (periods.Count > 0 && periods.Min(p => p.Start) < periods.Max(p => p.End))
        {
            return (periods.Min(p => p.Start), periods.Max(p => p.End));
        }

        return (invoice.PeriodStart, invoice.PeriodEnd);
    }

    // Counts an amount in the month of 'day' when that month is in the window.
    private static void Add(Dictionary<(string, string, DateOnly), decimal> sums, IReadOnlyList<DateOnly> months, string tenant, string currency, DateOnly day, decimal amount)
    {
        var month = new DateOnly(day.Year, day.Month, 1);
        if (months.Contains(month))
        {
            var key = (tenant, currency, month);
            sums[key] = sums.GetValueOrDefault(key) + amount;
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
