using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// Reads LiteLLM's <c>model_prices_and_context_window.json</c> as it is published: USD per token, turned
/// into USD per million by exact <see cref="decimal"/> arithmetic on the numbers' text (2.5e-06 becomes
/// 2.5, not 2.4999999999999996). Entries that carry no token or per-call price (images, audio seconds,
/// the <c>sample_spec</c> documentation entry) are skipped and reported, not failed: the file is the
/// field's catalog and must load whole.
/// </summary>
internal static partial class LiteLlmCatalogReader
{
    private const decimal Million = 1_000_000m;

    /// <summary>True when the document has LiteLLM's shape: an object of objects priced per token.</summary>
    public static bool Looks(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("models", out _))
        {
            return false;
        }

        var checkedEntries = 0;
        foreach (var p in root.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var f in p.Value.EnumerateObject())
            {
                if (f.Name == "litellm_provider" || f.Name.EndsWith("_cost_per_token", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            if (++checkedEntries > 16)
            {
                break;
            }
        }

        return false;
    }

    public static (List<CatalogEntry> Entries, List<SkippedCatalogEntry> Skipped) Read(string file, JsonElement root)
    {
        var entries = new List<CatalogEntry>(root.EnumerateObject().Count());
        var skipped = new List<SkippedCatalogEntry>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in root.EnumerateObject())
        {
            var id = p.Name;
            if (id == "sample_spec")
            {
                skipped.Add(new(id, "documentation entry (sample_spec), not a model"));
                continue;
            }

            if (p.Value.ValueKind != JsonValueKind.Object)
            {
                skipped.Add(new(id, "not an object"));
                continue;
            }

            if (!p.Value.TryGetProperty("litellm_provider", out var providerElement) || providerElement.ValueKind != JsonValueKind.String)
            {
                skipped.Add(new(id, "not a model entry (no litellm_provider)"));
                continue;
            }

            if (ids.Contains(id))
            {
                // The published file has one such pair; the first spelling wins.
                skipped.Add(new(id, "duplicate id (ids are case-insensitive)"));
                continue;
            }

            var entry = ReadEntry(file, id, providerElement.GetString()!, p.Value, out var reason);
            if (entry is null)
            {
                skipped.Add(new(id, reason!));
                continue;
            }

            ids.Add(id);
            entries.Add(entry);
        }

        return (entries, skipped);
    }

    private static CatalogEntry? ReadEntry(string file, string id, string litellmProvider, JsonElement e, out string? skipReason)
    {
        skipReason = null;
        decimal? input = null, output = null, cacheRead = null, cacheWrite = null, reasoning = null, perCall = null;
        decimal? batchInput = null, batchOutput = null, cacheHit = null;
        SortedDictionary<long, Dictionary<string, decimal>>? tiers = null;
        string? source = null;

        foreach (var f in e.EnumerateObject())
        {
            switch (f.Name)
            {
                case "input_cost_per_token": input = PerMillion(file, id, f); break;
                case "output_cost_per_token": output = PerMillion(file, id, f); break;
                case "cache_read_input_token_cost": cacheRead = PerMillion(file, id, f); break;
                case "input_cost_per_token_cache_hit": cacheHit = PerMillion(file, id, f); break;
                case "cache_creation_input_token_cost": cacheWrite = PerMillion(file, id, f); break;
                case "output_cost_per_reasoning_token": reasoning = PerMillion(file, id, f); break;
                case "input_cost_per_token_batches": batchInput = PerMillion(file, id, f); break;
                case "output_cost_per_token_batches": batchOutput = PerMillion(file, id, f); break;

                // Rerank and search are billed per query; per_call is already USD per call.
                case "input_cost_per_query":
                case "input_cost_per_request":
                    perCall = (perCall ?? 0m) + Number(file, id, f);
                    break;
                case "source" when f.Value.ValueKind == JsonValueKind.String:
                    source = f.Value.GetString();
                    break;
                default:
                    var m = TierKey().Match(f.Name);
                    if (m.Success)
                    {
                        tiers ??= [];
                        var above = long.Parse(m.Groups["k"].ValueSpan, provider: CultureInfo.InvariantCulture) * 1000;
                        if (!tiers.TryGetValue(above, out var set))
                        {
                            tiers[above] = set = new Dictionary<string, decimal>(StringComparer.Ordinal);
                        }

                        set[m.Groups["price"].Value] = PerMillion(file, id, f);
                    }

                    break;
            }
        }

        if (input is null && output is null && perCall is null)
        {
            var mode = e.TryGetProperty("mode", out var modeElement) && modeElement.ValueKind == JsonValueKind.String ? modeElement.GetString() : "unknown";
            skipReason = $"no token or per-call price (mode {mode})";
            return null;
        }

        var standard = new PriceSet
        {
            Input = input,
            Output = output,
            CachedInput = cacheRead ?? cacheHit,
            CacheWrite = cacheWrite,
            Reasoning = reasoning,
            PerCall = perCall,
        };

        var tierList = new List<PriceTier>();
        if (tiers is not null)
        {
            foreach (var (above, set) in tiers)
            {
                tierList.Add(new PriceTier(above, new PriceSet
                {
                    Input = Get(set, "input_cost_per_token"),
                    Output = Get(set, "output_cost_per_token"),
                    CachedInput = Get(set, "cache_read_input_token_cost"),
                    CacheWrite = Get(set, "cache_creation_input_token_cost"),
                    Reasoning = Get(set, "output_cost_per_reasoning_token"),
                }.Over(standard)));
            }
        }

        var batch = batchInput is null && batchOutput is null ? null : new PriceSet { Input = batchInput, Output = batchOutput }.Over(standard);
        var provider = ProviderNames.FromLiteLlm(litellmProvider);
        return new CatalogEntry
        {
            Price = new ModelPrice
            {
                Id = id,
                Provider = provider,
                Standard = standard,
                Tiers = tierList,
                Batch = batch,
                Source = source ?? "LiteLLM model_prices_and_context_window.json",
                CatalogFile = file,
            },
            Exact = [id],
            ProviderNames = ModelNames.BareNames(id),
        };
    }

    private static decimal? Get(Dictionary<string, decimal> set, string key) => set.TryGetValue(key, out var v) ? v : null;

    private static decimal PerMillion(string file, string id, JsonProperty f) => Normalize(Number(file, id, f) * Million);

    private static decimal Number(string file, string id, JsonProperty f)
    {
        if (f.Value.ValueKind == JsonValueKind.Number
            && decimal.TryParse(f.Value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value >= 0
                ? value
                : throw new CatalogValidationException(file, id, f.Name, $"a price must not be negative, got {f.Value.GetRawText()}");
        }

        throw new CatalogValidationException(file, id, f.Name, $"must be a number (USD), got {f.Value.GetRawText()}");
    }

    /// <summary>Drops trailing zeros the multiplication leaves (2.5000000 → 2.5) so prices print as written.</summary>
    private static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    [GeneratedRegex(@"^(?<price>input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|output_cost_per_reasoning_token)_above_(?<k>\d{1,6})k_tokens$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex TierKey();
}
