using System.Text.Json.Nodes;

namespace UnitEconomics.TestSupport.Stripe;

/// <summary>
/// Stripe API objects in their documented shape (API 2026-10-28, the version Stripe.net 53 pins):
/// subscriptions with items whose price comes whole, an expanded customer, discounts whose
/// <c>source.coupon</c> is expanded; paid invoices with <c>parent.subscription_details</c> and line
/// periods; credit notes. Only the fields a reader could use are filled, as Stripe would fill them.
/// </summary>
public static class StripeObjects
{
    public static long Unix(int year, int month, int day) => new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    public static JsonObject Customer(string id, string? tenant = null) => new()
    {
        ["id"] = id,
        ["object"] = "customer",
        ["created"] = Unix(2026, 1, 5),
        ["livemode"] = false,
        ["metadata"] = tenant is null ? new JsonObject() : new JsonObject { ["tenant_id"] = tenant },
    };

    public static JsonObject Price(string id, string product, long unitAmount, string currency, string interval, int intervalCount) => new()
    {
        ["id"] = id,
        ["object"] = "price",
        ["active"] = true,
        ["billing_scheme"] = "per_unit",
        ["currency"] = currency,
        ["product"] = product,
        ["type"] = "recurring",
        ["unit_amount"] = unitAmount,
        ["unit_amount_decimal"] = unitAmount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["recurring"] = new JsonObject
        {
            ["interval"] = interval,
            ["interval_count"] = intervalCount,
            ["usage_type"] = "licensed",
        },
    };

    public static JsonObject Coupon(string id, decimal? percentOff = null, long? amountOff = null, string? currency = null, string duration = "forever") => new()
    {
        ["id"] = id,
        ["object"] = "coupon",
        ["percent_off"] = percentOff,
        ["amount_off"] = amountOff,
        ["currency"] = currency,
        ["duration"] = duration,
        ["valid"] = true,
    };

    public static JsonObject Discount(string id, string subscription, JsonObject coupon) => new()
    {
        ["id"] = id,
        ["object"] = "discount",
        ["source"] = new JsonObject { ["type"] = "coupon", ["coupon"] = coupon },
        ["start"] = Unix(2026, 1, 5),
        ["end"] = null,
        ["subscription"] = subscription,
    };

    public static JsonObject Subscription(string id, string status, string currency, JsonNode customer, JsonObject price, int quantity, string? tenant = null, params JsonObject[] discounts) => new()
    {
        ["id"] = id,
        ["object"] = "subscription",
        ["status"] = status,
        ["currency"] = currency,
        ["customer"] = customer,
        ["created"] = Unix(2026, 1, 5),
        ["start_date"] = Unix(2026, 1, 5),
        ["metadata"] = tenant is null ? new JsonObject() : new JsonObject { ["tenant_id"] = tenant },
        ["discounts"] = new JsonArray([.. discounts]),
        ["items"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "si_" + id[4..],
                ["object"] = "subscription_item",
                ["price"] = price,
                ["quantity"] = quantity,
                ["subscription"] = id,
            }),
            ["has_more"] = false,
            ["url"] = $"/v1/subscription_items?subscription={id}",
        },
    };

    /// <summary>A paid invoice of a subscription (its metadata copied into parent.subscription_details, as Stripe does), one line over the service period.</summary>
    public static JsonObject PaidInvoice(string id, JsonNode customer, string currency, long amountPaid, long periodStart, long periodEnd, string? subscription = null, string? tenant = null) => new()
    {
        ["id"] = id,
        ["object"] = "invoice",
        ["status"] = "paid",
        ["currency"] = currency,
        ["customer"] = customer,
        ["amount_due"] = amountPaid,
        ["amount_paid"] = amountPaid,
        ["amount_remaining"] = 0,
        ["created"] = periodStart,
        ["period_start"] = periodStart,
        ["period_end"] = periodStart,
        ["status_transitions"] = new JsonObject { ["paid_at"] = periodStart, ["finalized_at"] = periodStart },
        ["parent"] = subscription is null ? null : new JsonObject
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new JsonObject
            {
                ["subscription"] = subscription,
                ["metadata"] = tenant is null ? new JsonObject() : new JsonObject { ["tenant_id"] = tenant },
            },
        },
        ["lines"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "il_" + id[3..],
                ["object"] = "line_item",
                ["amount"] = amountPaid,
                ["currency"] = currency,
                ["invoice"] = id,
                ["period"] = new JsonObject { ["start"] = periodStart, ["end"] = periodEnd },
            }),
            ["has_more"] = false,
            ["url"] = $"/v1/invoices/{id}/lines",
        },
    };

    public static JsonObject CreditNote(string id, string invoice, string customer, string currency, long amount, long created, string status = "issued") => new()
    {
        ["id"] = id,
        ["object"] = "credit_note",
        ["amount"] = amount,
        ["total"] = amount,
        ["currency"] = currency,
        ["customer"] = customer,
        ["invoice"] = invoice,
        ["created"] = created,
        ["status"] = status,
        ["type"] = "post_payment",
    };
}
