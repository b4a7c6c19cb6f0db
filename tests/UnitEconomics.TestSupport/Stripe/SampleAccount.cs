using System.Text.Json.Nodes;
using UnitEconomics.Otel.Tenants;
using static UnitEconomics.TestSupport.Stripe.StripeObjects;

namespace UnitEconomics.TestSupport.Stripe;

/// <summary>
/// One Stripe account, read on 2026-12-04 (so the complete months are 2026-09, -10, -11):
/// <list type="bullet">
/// <item>acme (subscription metadata): pro monthly $29 × 3 seats, 20 % off forever then $5 off per month.</item>
/// <item>globex (customer metadata): enterprise yearly $4,380 (product prod_enterprise), paid for 2026-07-01 → 2027-07-01.</item>
/// <item>initech: pro monthly, trialing; a $5 credit note on an invoice before the window.</item>
/// <item>hooli: canceled pro; its September invoice was paid.</item>
/// <item>cus_tokyo (no metadata: the customer id is the tenant): ¥9,000 every 3 months (JPY is zero-decimal).</item>
/// </list>
/// Subscriptions come in two pages (acme, globex | initech, hooli, tokyo).
/// </summary>
public static class SampleAccount
{
    public static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    public static string TenantFile(Uri apiBase, string extra = "") => $$"""
        tiers:
          free: { revenue_per_customer_per_month: 0 }
          pro: { revenue_per_customer_per_month: 29 }
          enterprise: { revenue_per_customer_per_month: 500 }
        tenants:
          acme: { tier: pro }
          hooli: { tier: pro, revenue_per_month: 31 }
        revenue:
          plan_tiers:
            price_pro_monthly: pro
            price_pro_jpy: pro
            prod_enterprise: enterprise
          stripe:
            api_key_env: UE_TEST_STRIPE_KEY
            api_base: {{apiBase}}
            tenant_metadata_key: tenant_id
            refresh: 1h
            max_retries: 2
        {{extra}}
        """;

    public static TenantDirectory Directory(Uri apiBase, string extra = "") => TenantDirectory.Parse(TenantFile(apiBase, extra), "tenants.yaml");

    public static JsonObject[] SubscriptionsPage1() =>
    [
        Subscription(
            "sub_acme", "active", "usd", "cus_acme", Price("price_pro_monthly", "prod_pro", 2900, "usd", "month", 1), 3, tenant: "acme",
            Discount("di_acme20", "sub_acme", Coupon("co_20pct", percentOff: 20m)),
            Discount("di_acme5", "sub_acme", Coupon("co_5off", amountOff: 500, currency: "usd"))),
        Subscription("sub_globex", "active", "usd", Customer("cus_globex", "globex"), Price("price_ent_yearly", "prod_enterprise", 438000, "usd", "year", 1), 1),
    ];

    public static JsonObject[] SubscriptionsPage2() =>
    [
        Subscription("sub_initech", "trialing", "usd", "cus_initech", Price("price_pro_monthly", "prod_pro", 2900, "usd", "month", 1), 1, tenant: "initech"),
        Subscription("sub_hooli", "canceled", "usd", "cus_hooli", Price("price_pro_monthly", "prod_pro", 2900, "usd", "month", 1), 1, tenant: "hooli"),
        Subscription("sub_tokyo", "active", "jpy", Customer("cus_tokyo"), Price("price_pro_jpy", "prod_pro", 9000, "jpy", "month", 3), 1),
    ];

    public static JsonObject[] Invoices() =>
    [
        PaidInvoice("in_acme_nov", "cus_acme", "usd", 6460, Unix(2026, 11, 1), Unix(2026, 12, 1), "sub_acme", "acme"),
        PaidInvoice("in_acme_oct", "cus_acme", "usd", 6460, Unix(2026, 10, 1), Unix(2026, 11, 1), "sub_acme", "acme"),
        PaidInvoice("in_globex_year", Customer("cus_globex", "globex"), "usd", 438000, Unix(2026, 7, 1), Unix(2027, 7, 1), "sub_globex"),
        PaidInvoice("in_hooli_sep", "cus_hooli", "usd", 2900, Unix(2026, 9, 1), Unix(2026, 10, 1), "sub_hooli", "hooli"),
        PaidInvoice("in_tokyo_q", Customer("cus_tokyo"), "jpy", 9100, Unix(2026, 9, 1), Unix(2026, 12, 1), "sub_tokyo"),
    ];

    public static JsonObject[] CreditNotes() =>
    [
        CreditNote("cn_acme", "in_acme_oct", "cus_acme", "usd", 1000, Unix(2026, 10, 20)),
        CreditNote("cn_void", "in_acme_nov", "cus_acme", "usd", 9999, Unix(2026, 11, 20), status: "void"),
        CreditNote("cn_initech", "in_initech_old", "cus_initech", "usd", 500, Unix(2026, 10, 15)),
    ];

    public static void Serve(StripeLoopback stripe)
    {
        stripe.Pages("/v1/subscriptions", SubscriptionsPage1(), SubscriptionsPage2());
        stripe.Pages("/v1/invoices", Invoices());
        stripe.Pages("/v1/credit_notes", CreditNotes());
    }

    public static string? Environment(string name) => name == "UE_TEST_STRIPE_KEY" ? StripeLoopback.Key : null;
}
