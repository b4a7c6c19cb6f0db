using global::Stripe;
using Newtonsoft.Json.Linq;

namespace UnitEconomics.Books.Revenue.Stripe;

/// <summary>
/// Reads saved Stripe API responses: each file is one list response (<c>{"object": "list", "data":
/// [...], "has_more": ..., "url": ...}</c>) or a JSON array of such pages, exactly as
/// <c>GET /v1/subscriptions?status=all&amp;expand[]=data.customer&amp;expand[]=data.discounts.source.coupon</c>,
/// <c>GET /v1/invoices?status=paid</c> and <c>GET /v1/credit_notes</c> return them. Parsed by the
/// same SDK types as a live read, so both paths compute the same figures.
/// </summary>
public static class StripeSavedReader
{
    /// <exception cref="RevenueSourceException">A file is missing or is not a saved list response.</exception>
    public static StripeBilling Read(StripeSavedSettings saved)
    {
        var subscriptions = ReadList<Subscription>(saved.Subscriptions, "subscription");
        var invoices = saved.Invoices is { } i ? ReadList<Invoice>(i, "invoice") : [];
        var creditNotes = saved.CreditNotes is { } c ? ReadList<CreditNote>(c, "credit_note") : [];
        var readAt = new[] { saved.Subscriptions, saved.Invoices, saved.CreditNotes }
            .Where(p => p is not null)
            .Select(p => new DateTimeOffset(System.IO.File.GetLastWriteTimeUtc(p!), TimeSpan.Zero))
            .Min();
        return new StripeBilling(subscriptions, invoices, creditNotes, readAt);
    }

    /// <summary>Parses one saved list response (or an array of pages) of objects of type <paramref name="objectName"/>.</summary>
    public static List<T> ParseList<T>(string json, string sourceName, string objectName)
        where T : IStripeEntity, IHasObject
    {
        JToken root;
        try
        {
            root = JToken.Parse(json);
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            throw new RevenueSourceException($"{sourceName}: is not valid JSON: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }

        var pages = root is JArray array ? [.. array] : new List<JToken> { root };
        var items = new List<T>();
        foreach (var page in pages)
        {
            if (page is not JObject obj || (string?)obj["object"] != "list" || obj["data"] is not JArray data)
            {
                throw new RevenueSourceException($"{sourceName}: expected a saved Stripe list response ({{\"object\": \"list\", \"data\": [...]}}) or an array of them");
            }

            foreach (var element in data)
            {
                if ((string?)element["object"] != objectName)
                {
                    throw new RevenueSourceException($"{sourceName}: expected {objectName} objects in 'data', found '{(string?)element["object"] ?? "no object"}'");
                }

                try
                {
                    items.Add(StripeEntity.FromJson<T>(element.ToString(Newtonsoft.Json.Formatting.None)));
                }
                catch (Newtonsoft.Json.JsonException ex)
                {
                    throw new RevenueSourceException($"{sourceName}: {objectName} '{(string?)element["id"]}' does not read as Stripe's {objectName}: {ex.Message.ReplaceLineEndings(" ")}", ex);
                }
            }
        }

        return items;
    }

    private static List<T> ReadList<T>(string path, string objectName)
        where T : IStripeEntity, IHasObject
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RevenueSourceException($"{path}: cannot be read ({ex.Message})", ex);
        }

        return ParseList<T>(text, path, objectName);
    }
}
