using global::Stripe;

namespace UnitEconomics.Books.Revenue.Stripe;

/// <summary>
/// Finds the tenant of a Stripe object: the metadata key (default <c>tenant_id</c>) on the subscription,
/// then on the customer; else the customer id itself. Invoices and credit notes carry no tenant of
/// their own: an invoice reads its subscription's metadata (Stripe copies it into
/// <c>parent.subscription_details.metadata</c>), then its customer's; what is still unknown falls back
/// on the tenant learned from the customer's subscriptions, then on the customer id.
/// </summary>
internal sealed class StripeTenantMapping
{
    private readonly string key;
    private readonly Dictionary<string, string> byCustomer = new(StringComparer.Ordinal);

    public StripeTenantMapping(string metadataKey, IEnumerable<Subscription> subscriptions)
    {
        this.key = metadataKey;
        foreach (var s in subscriptions)
        {
            if (s.CustomerId is { } customer && this.Explicit(s.Metadata, s.Customer?.Metadata) is { } tenant)
            {
                this.byCustomer.TryAdd(customer, tenant);
            }
        }
    }

    public string OfSubscription(Subscription s) => this.Explicit(s.Metadata, s.Customer?.Metadata) ?? this.OfCustomer(s.CustomerId);

    public string OfInvoice(Invoice i) =>
        this.Explicit(i.Parent?.SubscriptionDetails?.Metadata, i.Customer?.Metadata) ?? this.OfCustomer(i.CustomerId);

    public string OfCustomer(string? customerId) =>
        customerId is null ? "unknown" : this.byCustomer.TryGetValue(customerId, out var tenant) ? tenant : customerId;

    private string? Explicit(Dictionary<string, string>? own, Dictionary<string, string>? customer) =>
        Value(own, this.key) ?? Value(customer, this.key);

    private static string? Value(Dictionary<string, string>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
}
