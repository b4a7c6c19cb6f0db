using System.Globalization;
using UnitEconomics.Books.Revenue.Currencies;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Revenue;

/// <summary>Which revenue figure feeds the margin (docs/tenants.md, "Revenue from billing").</summary>
public enum RevenueFigure
{
    /// <summary>Monthly recurring revenue from live subscriptions.</summary>
    Mrr,

    /// <summary>Revenue recognised in the last complete calendar month from paid invoices, less credit notes.</summary>
    Recognised,
}

/// <summary>Live Stripe: the secret key's variable, the API base, how often to read.</summary>
public sealed record StripeApiSettings(string ApiKeyEnv, Uri ApiBase, TimeSpan Refresh, int MaxRetries);

/// <summary>Saved Stripe list responses (the API's JSON, as <c>GET /v1/subscriptions</c> etc. returned it).</summary>
public sealed record StripeSavedSettings(string Subscriptions, string? Invoices, string? CreditNotes);

/// <summary>
/// The tenant file's <c>revenue</c> section, read: where revenue comes from, how tenants are found in
/// it, which figure feeds the margin, and how plans map to tiers. Either <see cref="Api"/> or
/// <see cref="Saved"/> is set.
/// </summary>
public sealed record RevenueSettings
{
    public const string DefaultTenantMetadataKey = "tenant_id";
    public const string DefaultApiKeyEnv = "STRIPE_API_KEY";
    public static readonly Uri DefaultApiBase = new("https://api.stripe.com");

    public required RevenueFigure Figure { get; init; }

    public StripeApiSettings? Api { get; init; }

    public StripeSavedSettings? Saved { get; init; }

    /// <summary>The metadata key, on the subscription and then on the customer, that holds the tenant id; without it the customer id is the tenant.</summary>
    public required string TenantMetadataKey { get; init; }

    /// <summary>Price id, price lookup key or product id → tier.</summary>
    public required IReadOnlyDictionary<string, string> PlanTiers { get; init; }

    /// <summary>How many complete calendar months of recognised revenue to compute (the last one feeds the margin when chosen).</summary>
    public required int Months { get; init; }

    public required UsdRates Rates { get; init; }

    /// <summary>The source's name in the figures it yields: <c>stripe</c> or <c>stripe export</c>.</summary>
    public string SourceName => this.Api is null ? "stripe export" : "stripe";

    /// <summary>Reads the section; null when the file has none. Problems are <see cref="TenantDirectoryException"/>s pointing at the line.</summary>
    public static RevenueSettings? From(TenantDirectory directory)
    {
        if (directory.RevenueSettings is not { } section || section.IsNull)
        {
            return null;
        }

        var fields = Fields(section, "figure", "plan_tiers", "rates", "stripe");
        var figure = Text(fields, "figure") switch
        {
            null or "mrr" => RevenueFigure.Mrr,
            "recognised" or "recognized" => RevenueFigure.Recognised,
            _ => throw fields["figure"].Error($"must be 'mrr' or 'recognised', found '{fields["figure"].Text}'"),
        };

        var planTiers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGetValue("plan_tiers", out var tiersSection) && !tiersSection.IsNull)
        {
            foreach (var (plan, tierNode) in Fields(tiersSection).Select(kv => (kv.Key, kv.Value)))
            {
                var tier = tierNode.Text ?? throw tierNode.Error("must name a tier");
                if (!directory.Tiers.ContainsKey(tier))
                {
                    throw tierNode.Error($"unknown tier '{tier}' (known tiers: {string.Join(", ", directory.Tiers.Keys)})");
                }

                planTiers[plan] = tier;
            }
        }

        if (!fields.TryGetValue("stripe", out var stripe) || stripe.IsNull)
        {
            throw section.Error("needs a source: 'stripe' (live, with api_key_env) or 'stripe' with 'saved' list files");
        }

        var s = Fields(stripe, "api_key_env", "api_base", "tenant_metadata_key", "refresh", "months", "max_retries", "saved");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(section.SourceName)) ?? ".";
        StripeSavedSettings? saved = null;
        StripeApiSettings? api = null;
        if (s.TryGetValue("saved", out var savedSection) && !savedSection.IsNull)
        {
            if (s.ContainsKey("api_key_env") || s.ContainsKey("api_base"))
            {
                throw savedSection.Error("give either saved list files or api_key_env/api_base, not both");
            }

            var files = Fields(savedSection, "subscriptions", "invoices", "credit_notes");
            saved = new StripeSavedSettings(
                PathOf(files, "subscriptions", baseDir) ?? throw savedSection.Error("needs 'subscriptions' (a saved GET /v1/subscriptions response)"),
                PathOf(files, "invoices", baseDir),
                PathOf(files, "credit_notes", baseDir));
        }
        else
        {
            var apiBase = DefaultApiBase;
            if (s.TryGetValue("api_base", out var baseNode) && baseNode.Text is { } baseText)
            {
                if (!Uri.TryCreate(baseText, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
                {
                    throw baseNode.Error($"must be an http(s) URL, found '{baseText}'");
                }

                apiBase = parsed;
            }

            var keyEnv = Text(s, "api_key_env") ?? DefaultApiKeyEnv;
            var refresh = s.TryGetValue("refresh", out var refreshNode) && refreshNode.Text is { } r ? Duration(refreshNode, r) : TimeSpan.FromHours(1);
            api = new StripeApiSettings(keyEnv, apiBase, refresh, Count(s, "max_retries", 3, 0));
        }

        return new RevenueSettings
        {
            Figure = figure,
            Api = api,
            Saved = saved,
            TenantMetadataKey = Text(s, "tenant_metadata_key") ?? DefaultTenantMetadataKey,
            PlanTiers = planTiers,
            Months = Count(s, "months", 3, 1),
            Rates = fields.TryGetValue("rates", out var rates) ? ReadRates(rates) : UsdRates.None,
        };
    }

    private static UsdRates ReadRates(TenantFileSection rates)
    {
        if (rates.IsNull)
        {
            return UsdRates.None;
        }

        if (!rates.IsList)
        {
            throw rates.Error("must be a list of { currency, usd, from }");
        }

        var lines = new List<UsdRate>();
        foreach (var item in rates.Items)
        {
            var f = Fields(item, "currency", "usd", "from");
            var currency = Text(f, "currency") ?? throw item.Error("needs 'currency' (e.g. eur)");
            var usdText = Text(f, "usd") ?? throw item.Error("needs 'usd': USD per one unit of the currency");
            if (!decimal.TryParse(usdText, NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) || usd <= 0)
            {
                throw f["usd"].Error($"must be a positive number, found '{usdText}'");
            }

            var fromText = Text(f, "from") ?? throw item.Error("needs 'from': the first day the rate is in force (YYYY-MM-DD)");
            if (!DateOnly.TryParseExact(fromText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            {
                throw f["from"].Error($"must be a date YYYY-MM-DD, found '{fromText}'");
            }

            lines.Add(new UsdRate(currency.ToLowerInvariant(), usd, from));
        }

        return new UsdRates(lines);
    }

    private static Dictionary<string, TenantFileSection> Fields(TenantFileSection section, params string[] allowed)
    {
        if (!section.IsMapping)
        {
            throw section.Error($"must be a mapping, found {section.KindName}");
        }

        var fields = new Dictionary<string, TenantFileSection>(StringComparer.Ordinal);
        foreach (var (key, value) in section.Entries.Select(kv => (kv.Key, kv.Value)))
        {
            if (allowed.Length > 0 && Array.IndexOf(allowed, key) < 0)
            {
                throw value.Error("unknown key; expected one of " + string.Join(", ", allowed));
            }

            if (!fields.TryAdd(key, value))
            {
                throw value.Error("given twice");
            }
        }

        return fields;
    }

    private static string? Text(Dictionary<string, TenantFileSection> fields, string key)
    {
        if (!fields.TryGetValue(key, out var node) || node.IsNull)
        {
            return null;
        }

        return node.Text is { Length: > 0 } text ? text : throw node.Error($"must be a single value, found {node.KindName}");
    }

    private static string? PathOf(Dictionary<string, TenantFileSection> fields, string key, string baseDir) =>
        Text(fields, key) is { } p ? Path.GetFullPath(Path.Combine(baseDir, p)) : null;

    private static int Count(Dictionary<string, TenantFileSection> fields, string key, int fallback, int min)
    {
        if (Text(fields, key) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= 120
            ? n
            : throw fields[key].Error($"must be a whole number from {min} to 120, found '{text}'");
    }

    /// <summary>A Go/Prometheus-style duration: 90s, 15m, 1h, 1d.</summary>
    private static TimeSpan Duration(TenantFileSection node, string text)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        if (!int.TryParse(text.AsSpan(0, Math.Max(0, text.Length - 1)), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            unit = ' ';
        }

        var span = unit switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => throw node.Error($"must be a duration such as 15m, 1h or 1d, found '{text}'"),
        };
        return span >= TimeSpan.FromSeconds(10) ? span : throw node.Error($"must be at least 10s (Stripe rate-limits reads), found '{text}'");
    }
}
