using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Simulation;

/// <summary>
/// Writes the demo's customers as a Stripe account would return them, so the demo runs through the
/// path a real account takes (<c>ue demo --stripe-export DIR</c>): <c>subscriptions.json</c>, a saved
/// <c>GET /v1/subscriptions</c> list (one active monthly subscription per paying tenant, its price in
/// cents, the tenant id in the subscription's metadata), and <c>tenants.yaml</c>, the tenant file with
/// tiers and engagement but no revenue figures, and a <c>revenue</c> section that reads that export —
/// every paying tenant's revenue then comes from "Stripe".
/// </summary>
public static class StripeExportWriter
{
    /// <returns>The tenant file written.</returns>
    public static string Write(TenantDirectory directory, string folder)
    {
        System.IO.Directory.CreateDirectory(folder);
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var data = new JsonArray();
        foreach (var t in directory.Tenants.Where(t => t.RevenuePerMonth > 0))
        {
            var id = Slug(t.Id);
            data.Add(new JsonObject
            {
                ["id"] = "sub_" + id,
                ["object"] = "subscription",
                ["status"] = "active",
                ["currency"] = "usd",
                ["customer"] = "cus_" + id,
                ["created"] = created,
                ["metadata"] = new JsonObject { ["tenant_id"] = t.Id },
                ["discounts"] = new JsonArray(),
                ["items"] = new JsonObject
                {
                    ["object"] = "list",
                    ["data"] = new JsonArray(new JsonObject
                    {
                        ["id"] = "si_" + id,
                        ["object"] = "subscription_item",
                        ["quantity"] = 1,
                        ["price"] = new JsonObject
                        {
                            ["id"] = $"price_{t.Tier}_{Cents(t.RevenuePerMonth)}",
                            ["object"] = "price",
                            ["currency"] = "usd",
                            ["product"] = "prod_" + t.Tier,
                            ["type"] = "recurring",
                            ["unit_amount"] = Cents(t.RevenuePerMonth),
                            ["recurring"] = new JsonObject { ["interval"] = "month", ["interval_count"] = 1, ["usage_type"] = "licensed" },
                        },
                    }),
                    ["has_more"] = false,
                    ["url"] = "/v1/subscription_items?subscription=sub_" + id,
                },
            });
        }

        var list = new JsonObject { ["object"] = "list", ["data"] = data, ["has_more"] = false, ["url"] = "/v1/subscriptions" };
        File.WriteAllText(Path.Combine(folder, "subscriptions.json"), list.ToJsonString());

        var yaml = new StringBuilder("# Written by ue demo --stripe-export: revenue comes from subscriptions.json, as from a Stripe account.\ntiers:\n");
        foreach (var tier in directory.Tiers.Values.OrderBy(t => t.RevenuePerCustomerPerMonth))
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  {tier.Name}: {{ revenue_per_customer_per_month: {tier.RevenuePerCustomerPerMonth}, free: {(tier.IsFree ? "true" : "false")}, infra_cost_per_month: {tier.InfraCostPerMonth} }}\n");
        }

        // Tiers and engagement stay in the file (it is the override, and billing knows no engagement);
        // no revenue_per_month: each paying tenant's revenue is its subscription's.
        yaml.Append("tenants:\n");
        foreach (var t in directory.Tenants)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  {t.Id}: {{ tier: {t.Tier}, engagement: {t.Engagement} }}\n");
        }

        yaml.Append("revenue:\n  plan_tiers:\n");
        foreach (var tier in directory.Tiers.Keys.Order(StringComparer.Ordinal))
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    prod_{tier}: {tier}\n");
        }

        yaml.Append("  stripe:\n    saved: { subscriptions: subscriptions.json }\n");
        var file = Path.Combine(folder, "tenants.yaml");
        File.WriteAllText(file, yaml.ToString());
        return file;
    }

    private static long Cents(decimal usd) => (long)Math.Round(usd * 100m, MidpointRounding.AwayFromZero);

    private static string Slug(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
