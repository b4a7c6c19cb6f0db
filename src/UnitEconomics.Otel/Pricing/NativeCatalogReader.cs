using System.Globalization;
using System.Text.RegularExpressions;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// Reads this project's catalog format (YAML or JSON, USD per million tokens; see docs/price-catalog.md)
/// into entries, rejecting anything it does not understand: an unknown key is far more often a typo in a
/// price than a field from the future, and a typo in a price is money.
/// </summary>
internal static class NativeCatalogReader
{
    private static readonly string[] TopKeys = ["prices_as_of", "source", "notes", "models"];
    private static readonly string[] PriceKeys = ["input", "cached_input", "cache_write", "output", "reasoning", "per_call"];
    private static readonly string[] MatchKeys = ["exact", "prefix", "regex"];

    /// <summary>Bounds a pathological pattern; a name is matched once and then cached.</summary>
    internal static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    public static (List<CatalogEntry> Entries, DateOnly? PricesAsOf) Read(string file, CatalogNode root)
    {
        if (root is not MapNode top)
        {
            throw new CatalogValidationException(file, null, null, $"the top level must be a mapping with a 'models' key, not {root.Kind}", root.Line);
        }

        DateOnly? asOf = null;
        string? fileSource = null;
        MapNode? models = null;
        foreach (var (key, node) in top.Items)
        {
            switch (key)
            {
                case "prices_as_of":
                    asOf = DateOnly.FromDateTime(ReadDate(file, null, key, node).UtcDateTime);
                    break;
                case "source":
                    fileSource = ReadString(file, null, key, node);
                    break;
                case "notes":
                    break;
                case "models":
                    models = node as MapNode ?? throw new CatalogValidationException(file, null, key, $"must be a mapping of entry id to entry, not {node.Kind}", node.Line);
                    break;
                default:
                    throw Unknown(file, null, key, node, TopKeys);
            }
        }

        if (models is null)
        {
            throw new CatalogValidationException(file, null, "models", "missing: a catalog needs a 'models' mapping", top.Line);
        }

        var entries = new List<CatalogEntry>(models.Items.Count);
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, node) in models.Items)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new CatalogValidationException(file, id, null, "an entry id must not be empty", node.Line);
            }

            if (!ids.Add(id))
            {
                throw new CatalogValidationException(file, id, null, "duplicate entry id (ids are case-insensitive)", node.Line);
            }

            entries.Add(ReadEntry(file, id, node, fileSource));
        }

        CatalogRules.CheckAmbiguity(file, entries);
        return (entries, asOf);
    }

    private static CatalogEntry ReadEntry(string file, string id, CatalogNode node, string? fileSource)
    {
        if (node is not MapNode map)
        {
            throw new CatalogValidationException(file, id, null, $"an entry must be a mapping, not {node.Kind}", node.Line);
        }

        string? provider = null, source = null;
        DateTimeOffset? from = null, to = null;
        CatalogNode? fromNode = null, toNode = null;
        PriceSet standard = PriceSet.Empty;
        MapNode? batchNode = null;
        ListNode? tiersNode = null;
        List<string>? exact = null, prefixes = null;
        List<Regex>? patterns = null;
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);

        foreach (var (key, value) in map.Items)
        {
            switch (key)
            {
                case "provider":
                    provider = ReadString(file, id, key, value);
                    break;
                case "source":
                    source = ReadString(file, id, key, value);
                    break;
                case "notes":
                    break;
                case "effective_from":
                    from = ReadDate(file, id, key, value);
                    fromNode = value;
                    break;
                case "effective_to":
                    to = ReadDate(file, id, key, value);
                    toNode = value;
                    break;
                case "match":
                    ReadMatch(file, id, value, out exact, out prefixes, out patterns);
                    break;
                case "batch":
                    batchNode = value as MapNode ?? throw new CatalogValidationException(file, id, key, $"must be a mapping of prices, not {value.Kind}", value.Line);
                    break;
                case "tiers":
                    tiersNode = value as ListNode ?? throw new CatalogValidationException(file, id, key, $"must be a list of tiers, not {value.Kind}", value.Line);
                    break;
                default:
                    if (Array.IndexOf(PriceKeys, key) < 0)
                    {
                        throw Unknown(file, id, key, value, ["provider", "match", .. PriceKeys, "tiers", "batch", "effective_from", "effective_to", "source", "notes"]);
                    }

                    prices[key] = ReadPrice(file, id, key, value);
                    break;
            }
        }

        standard = ToSet(prices);
        if (from is not null && to is not null && to <= from)
        {
            throw new CatalogValidationException(file, id, "effective_to", $"must be after effective_from ({Iso(from.Value)}), got {Iso(to.Value)}", toNode?.Line ?? fromNode?.Line);
        }

        var batch = batchNode is null ? null : ReadPriceMap(file, id, "batch", batchNode).Over(standard);
        var tiers = tiersNode is null ? [] : ReadTiers(file, id, tiersNode, standard);
        if (!standard.HasAnyPrice && batch is null && tiers.Count == 0)
        {
            throw new CatalogValidationException(file, id, "input", "the entry has no price: set at least one of " + string.Join(", ", PriceKeys), map.Line);
        }

        var hasMatch = exact is not null || prefixes is not null || patterns is not null;
        return new CatalogEntry
        {
            Price = new ModelPrice
            {
                Id = id,
                Provider = provider,
                Standard = standard,
                Tiers = tiers,
                Batch = batch,
                EffectiveFrom = from,
                EffectiveTo = to,
                Source = source ?? fileSource,
                CatalogFile = file,
            },
            Exact = hasMatch ? exact ?? [] : [id],
            ProviderNames = hasMatch || provider is null ? [] : ModelNames.BareNames(id),
            Prefixes = prefixes ?? [],
            Patterns = patterns ?? [],
        };
    }

    private static void ReadMatch(string file, string id, CatalogNode node, out List<string>? exact, out List<string>? prefixes, out List<Regex>? patterns)
    {
        exact = null;
        prefixes = null;
        patterns = null;
        if (node is not MapNode map)
        {
            throw new CatalogValidationException(file, id, "match", $"must be a mapping with exact, prefix or regex, not {node.Kind}", node.Line);
        }

        foreach (var (key, value) in map.Items)
        {
            var field = "match." + key;
            switch (key)
            {
                case "exact":
                    exact = ReadNames(file, id, field, value);
                    break;
                case "prefix":
                    prefixes = ReadNames(file, id, field, value);
                    break;
                case "regex":
                    patterns = [];
                    foreach (var pattern in ReadNames(file, id, field, value))
                    {
                        try
                        {
                            patterns.Add(new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout));
                        }
                        catch (ArgumentException ex)
                        {
                            throw new CatalogValidationException(file, id, field, $"invalid regular expression '{pattern}': {ex.Message}", value.Line, ex);
                        }
                    }

                    break;
                default:
                    throw Unknown(file, id, field, value, MatchKeys);
            }
        }
    }

    private static List<string> ReadNames(string file, string id, string field, CatalogNode node)
    {
        var items = node switch
        {
            ListNode list => list.Items,
            ScalarNode => [node],
            _ => throw new CatalogValidationException(file, id, field, $"must be a name or a list of names, not {node.Kind}", node.Line),
        };
        var names = new List<string>(items.Count);
        foreach (var item in items)
        {
            var name = item is ScalarNode { Text: { Length: > 0 } text } ? text : null;
            names.Add(name ?? throw new CatalogValidationException(file, id, field, "names must be non-empty strings", item.Line));
        }

        return names;
    }

    private static List<PriceTier> ReadTiers(string file, string id, ListNode list, PriceSet standard)
    {
        var tiers = new List<PriceTier>(list.Items.Count);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var field = $"tiers[{i}]";
            if (list.Items[i] is not MapNode map)
            {
                throw new CatalogValidationException(file, id, field, $"a tier must be a mapping, not {list.Items[i].Kind}", list.Items[i].Line);
            }

            long? above = null;
            var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Items)
            {
                if (key == "above_input_tokens")
                {
                    above = value is ScalarNode s && long.TryParse(s.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
                        ? n
                        : throw new CatalogValidationException(file, id, field + "." + key, $"must be a non-negative whole number of tokens, got {Show(value)}", value.Line);
                }
                else if (Array.IndexOf(PriceKeys, key) >= 0)
                {
                    prices[key] = ReadPrice(file, id, field + "." + key, value);
                }
                else
                {
                    throw Unknown(file, id, field + "." + key, value, ["above_input_tokens", .. PriceKeys]);
                }
            }

            if (above is null)
            {
                throw new CatalogValidationException(file, id, field + ".above_input_tokens", "missing: a tier needs the input token count above which it applies", map.Line);
            }

            if (tiers.Any(t => t.AboveInputTokens == above))
            {
                throw new CatalogValidationException(file, id, field + ".above_input_tokens", $"two tiers start above {above} tokens", map.Line);
            }

            // Stored complete: PricesFor() returns a tier's set as it is.
            tiers.Add(new PriceTier(above.Value, ToSet(prices).Over(standard)));
        }

        tiers.Sort((a, b) => a.AboveInputTokens.CompareTo(b.AboveInputTokens));
        return tiers;
    }

    private static PriceSet ReadPriceMap(string file, string id, string field, MapNode map)
    {
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Items)
        {
            if (Array.IndexOf(PriceKeys, key) < 0)
            {
                throw Unknown(file, id, field + "." + key, value, PriceKeys);
            }

            prices[key] = ReadPrice(file, id, field + "." + key, value);
        }

        return ToSet(prices);
    }

    private static PriceSet ToSet(Dictionary<string, decimal> prices) => new()
    {
        Input = Get(prices, "input"),
        CachedInput = Get(prices, "cached_input"),
        CacheWrite = Get(prices, "cache_write"),
        Output = Get(prices, "output"),
        Reasoning = Get(prices, "reasoning"),
        PerCall = Get(prices, "per_call"),
    };

    private static decimal? Get(Dictionary<string, decimal> prices, string key) => prices.TryGetValue(key, out var v) ? v : null;

    private static decimal ReadPrice(string file, string id, string field, CatalogNode node)
    {
        if (node is not ScalarNode scalar || !scalar.TryDecimal(out var value))
        {
            throw new CatalogValidationException(file, id, field, $"must be a number (USD), got {Show(node)}", node.Line);
        }

        if (value < 0)
        {
            throw new CatalogValidationException(file, id, field, $"a price must not be negative, got {scalar.Text}", node.Line);
        }

        return value;
    }

    private static string ReadString(string file, string? id, string field, CatalogNode node) =>
        node is ScalarNode { Text: { } text } ? text : throw new CatalogValidationException(file, id, field, $"must be a string, got {Show(node)}", node.Line);

    private static DateTimeOffset ReadDate(string file, string? id, string field, CatalogNode node)
    {
        var text = node is ScalarNode s ? s.Text : null;
        if (text is not null)
        {
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment))
            {
                return moment;
            }
        }

        throw new CatalogValidationException(file, id, field, $"must be a date (YYYY-MM-DD) or an ISO 8601 timestamp, got {Show(node)}", node.Line);
    }

    private static CatalogValidationException Unknown(string file, string? id, string field, CatalogNode node, string[] known) =>
        new(file, id, field, "unknown key; expected one of " + string.Join(", ", known), node.Line);

    private static string Show(CatalogNode node) => node is ScalarNode s ? s.Text is null ? "null" : $"'{s.Text}'" : node.Kind;

    internal static string Iso(DateTimeOffset d) => d.TimeOfDay == TimeSpan.Zero ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("O", CultureInfo.InvariantCulture);
}
