using global::Stripe;

namespace UnitEconomics.Books.Revenue.Stripe;

/// <summary>What one read of Stripe returned: every subscription (all statuses), paid invoices and credit notes of the window.</summary>
/// <param name="Subscriptions">Subscriptions with their customer and discounts (coupon included) expanded.</param>
/// <param name="Invoices">Paid invoices.</param>
/// <param name="CreditNotes">Credit notes (issued and void; void ones are skipped when used).</param>
/// <param name="ReadAt">When the read finished.</param>
public sealed record StripeBilling(IReadOnlyList<Subscription> Subscriptions, IReadOnlyList<Invoice> Invoices, IReadOnlyList<CreditNote> CreditNotes, DateTimeOffset ReadAt);
