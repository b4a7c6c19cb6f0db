using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// Priced entries (models, tools, vector stores) resolved by name. Built once from layered catalog files
/// and immutable afterwards; <see cref="TryResolve"/> runs on every span, so after the first lookup of a
/// (provider, name) pair it is a dictionary hit and a scan of a handful of candidates, allocation-free.
/// </summary>
/// <remarks>
/// Resolution order for a name: exact (case-insensitive), then the name without a <c>provider/</c> path,
/// then without a version suffix (dates, <c>@20241022</c>, <c>-v2:0</c>, <c>-latest</c>), then the longest
/// prefix, then regexes in catalog order. Among the name matches (the first three), an entry whose
/// provider is the caller's, or that has none, is preferred over one for another provider; an entry for
/// another provider is still used when nothing else matches. Among equals a later file wins. Of the
/// ranked candidates the first in force at the call's time is used, which is how price history works.
/// </remarks>
public sealed class PriceCatalog
{
    /// <summary>Distinct names cached; beyond it names are resolved each time (the name set comes from spans).</summary>
    private const int MaxCachedNames = 10_000;

    private const string DefaultResourceName = "UnitEconomics.Otel.Pricing.default-catalog.yaml";

    /// <summary>How the embedded default catalog is named in reports and error messages.</summary>
    public const string DefaultCatalogName = "default-catalog.yaml (embedded)";

    private readonly Dictionary<string, List<(CatalogEntry Entry, int Stripped)>> byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Prefix, CatalogEntry Entry)> prefixes = [];
    private readonly List<(Regex Pattern, CatalogEntry Entry)> patterns = [];
    /// <summary>
    /// Rankings by model name (ordinal: one hash of the name; a differently cased spelling just gets its
    /// own slot), then by provider in a tiny array compared by reference first, as span labels usually
    /// share their string instances.
    /// </summary>
    private readonly ConcurrentDictionary<string, ProviderRanking[]> resolved = new(StringComparer.Ordinal);

    /// <summary>A catalog of entries given in code; each matches its <see cref="ModelPrice.Id"/> exactly.</summary>
    /// <exception cref="CatalogValidationException">Two entries tie for a name.</exception>
    public PriceCatalog(IEnumerable<ModelPrice> entries)
        : this(FromCode(entries), new CatalogLoadReport([]))
    {
    }

    private PriceCatalog(List<CatalogEntry> entries, CatalogLoadReport report)
    {
        this.Report = report;
        this.Entries = [.. entries.Select(e => e.Price)];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            entry.Order = i;
            foreach (var name in entry.Exact)
            {
                this.Index(name, entry, stripped: 0);
            }

            // BareNames order: one path segment removed, then two, ...
            for (var n = 0; n < entry.ProviderNames.Count; n++)
            {
                this.Index(entry.ProviderNames[n], entry, stripped: n + 1);
            }

            foreach (var prefix in entry.Prefixes)
            {
                this.prefixes.Add((prefix, entry));
            }

            foreach (var pattern in entry.Patterns)
            {
                this.patterns.Add((pattern, entry));
            }
        }
    }

    public static PriceCatalog Empty { get; } = new([], CatalogLoadReport.Empty);

    /// <summary>The entries after layering, in catalog order.</summary>
    public IReadOnlyList<ModelPrice> Entries { get; }

    /// <summary>Per file, in layering order: entries loaded, overridden and skipped (with the reason).</summary>
    public CatalogLoadReport Report { get; }

    /// <summary>
    /// Loads catalog files, each layered over the ones before it: an entry with the id of an earlier entry
    /// overrides it field by field (a price it leaves unset keeps the earlier value; see <see cref="CatalogMerge"/>),
    /// every other entry stays. The format follows the extension (<c>.yaml</c>/<c>.yml</c>:
    /// native YAML) or the content (JSON: LiteLLM's shape, otherwise native JSON).
    /// </summary>
    /// <exception cref="CatalogValidationException">A file is unreadable, malformed or invalid; the message names file, entry and field.</exception>
    public static PriceCatalog Load(params string[] paths) => Build(paths.Select(ReadFile));

    /// <summary>The catalog shipped with the library (common models' list prices, see its <c>prices_as_of</c>).</summary>
    public static PriceCatalog LoadDefault() => Build([ReadDefault()]);

    /// <summary>The shipped catalog with <paramref name="paths"/> layered on top (custom or negotiated prices).</summary>
    public static PriceCatalog LoadDefaultAnd(params string[] paths) => Build([ReadDefault(), .. paths.Select(ReadFile)]);

    /// <summary>Finds the entry for <paramref name="model"/> in force at <paramref name="at"/>. Never throws.</summary>
    public bool TryResolve(string? provider, string model, DateTimeOffset at, [NotNullWhen(true)] out ModelPrice? price)
    {
        price = InForceAt(this.Ranking(provider, model), at.UtcDateTime);
        return price is not null;
    }

    /// <summary>The first of <paramref name="ranked"/> in force at <paramref name="atUtc"/>: how price history works.</summary>
    internal static ModelPrice? InForceAt(ModelPrice[] ranked, DateTime atUtc)
    {
        foreach (var candidate in ranked)
        {
            if (candidate.IsInForceAtUtc(atUtc))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Every entry that answers to <paramref name="model"/> for <paramref name="provider"/>, best first, whatever their dates.</summary>
    internal ModelPrice[] Ranking(string? provider, string model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return [];
        }

        var ranked = this.resolved.TryGetValue(model, out var slots) ? Find(slots, provider) : null;
        if (ranked is null)
        {
            ranked = this.Rank(provider, model);
            if (this.resolved.Count < MaxCachedNames)
            {
                // Copy-on-write; a lost race only means one more ranking later.
                this.resolved[model] = slots is null ? [new(provider, ranked)] : [.. slots, new(provider, ranked)];
            }
        }

        return ranked;
    }

    private static ModelPrice[]? Find(ProviderRanking[] slots, string? provider)
    {
        foreach (var slot in slots)
        {
            if (ReferenceEquals(slot.Provider, provider) || string.Equals(slot.Provider, provider, StringComparison.Ordinal))
            {
                return slot.Ranked;
            }
        }

        return null;
    }

    /// <param name="stripped">0 for a name of the entry; else how many path segments of its id were removed (provider-only).</param>
    private void Index(string name, CatalogEntry entry, int stripped)
    {
        if (!this.byName.TryGetValue(name, out var list))
        {
            this.byName[name] = list = [];
        }

        list.Add((entry, stripped));
    }

    /// <summary>Every entry that answers to the name, best first; time is applied per call.</summary>
    private ModelPrice[] Rank(string? provider, string model)
    {
        try
        {
            var caller = string.IsNullOrEmpty(provider) || provider == "unknown" ? ModelNames.ProviderHint(model) : provider;
            var forms = ModelNames.Forms(model);
            var candidates = new List<Candidate>();
            for (var i = 0; i < forms.Count; i++)
            {
                if (this.byName.TryGetValue(forms[i].Name, out var list))
                {
                    foreach (var (entry, stripped) in list)
                    {
                        if (stripped == 0 || SameProvider(caller, entry.Price.Provider))
                        {
                            candidates.Add(new(entry, forms[i].Stage, i, stripped, Compatibility(caller, entry)));
                        }
                    }
                }
            }

            foreach (var (prefix, entry) in this.prefixes)
            {
                if (forms.Exists(f => f.Stage <= ModelNames.StagePath && f.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
                {
                    candidates.Add(new(entry, ModelNames.StagePrefix, -prefix.Length, 0, Compatibility(caller, entry)));
                }
            }

            foreach (var (pattern, entry) in this.patterns)
            {
                if (forms.Exists(f => f.Stage <= ModelNames.StagePath && SafeMatch(pattern, f.Name)))
                {
                    candidates.Add(new(entry, ModelNames.StageRegex, entry.Order, 0, Compatibility(caller, entry)));
                }
            }

            candidates.Sort(static (a, b) =>
            {
                int c;
                if ((c = Group(a.Stage).CompareTo(Group(b.Stage))) != 0
                    || (c = (a.Compatibility == 0).CompareTo(b.Compatibility == 0)) != 0
                    || (c = a.Stage.CompareTo(b.Stage)) != 0
                    || (c = b.Compatibility.CompareTo(a.Compatibility)) != 0
                    || (c = a.Within.CompareTo(b.Within)) != 0
                    || (c = a.Stripped.CompareTo(b.Stripped)) != 0
                    || (c = b.Entry.Layer.CompareTo(a.Entry.Layer)) != 0)
                {
                    return c;
                }

                return a.Entry.Order.CompareTo(b.Entry.Order);
            });

            var seen = new HashSet<CatalogEntry>(ReferenceEqualityComparer.Instance);
            return [.. candidates.Where(c => seen.Add(c.Entry)).Select(c => c.Entry.Price)];
        }
        catch (Exception)
        {
            // Per-span code: a name that cannot be resolved is unpriced, never an exception in the host.
            return [];
        }
    }

    /// <summary>
    /// Name matches (exact, path-stripped, version-stripped) form one group, so an entry of the caller's
    /// provider under a dated or bare name beats another provider's exact one; any name match beats a
    /// prefix, any prefix a regex.
    /// </summary>
    private static int Group(int stage) => stage <= ModelNames.StageVersion ? 0 : stage;

    /// <summary>2: same provider; 1: the entry or the caller has none; 0: another provider's entry.</summary>
    private static int Compatibility(string? caller, CatalogEntry entry) =>
        caller is null || entry.Price.Provider is null ? 1 : SameProvider(caller, entry.Price.Provider) ? 2 : 0;

    private static bool SameProvider(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool SafeMatch(Regex pattern, string name)
    {
        try
        {
            return pattern.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static List<CatalogEntry> FromCode(IEnumerable<ModelPrice> prices)
    {
        var entries = prices.Select(p => new CatalogEntry
        {
            Price = p,
            Exact = [p.Id],
            ProviderNames = p.Provider is null ? [] : ModelNames.BareNames(p.Id),
        }).ToList();
        CatalogRules.CheckAmbiguity("(in memory)", entries);
        return entries;
    }

    private static PriceCatalog Build(IEnumerable<CatalogLayer> layers)
    {
        var merged = new List<CatalogEntry>();
        var positions = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var reports = new List<CatalogFileReport>();
        var layerIndex = 0;
        foreach (var layer in layers)
        {
            var overrides = 0;
            foreach (var entry in layer.Entries)
            {
                entry.Layer = layerIndex;
                if (positions.TryGetValue(entry.Id, out var at))
                {
                    // Merged field by field, in place: the entry keeps its position, so regex order stays stable.
                    merged[at] = CatalogMerge.Over(entry, merged[at]);
                    overrides++;
                }
                else
                {
                    positions[entry.Id] = merged.Count;
                    merged.Add(entry);
                }
            }

            reports.Add(new CatalogFileReport
            {
                File = layer.File,
                Format = layer.Format,
                Loaded = layer.Entries.Count,
                Overrides = overrides,
                Skipped = layer.Skipped,
                PricesAsOf = layer.PricesAsOf,
            });
            layerIndex++;
        }

        return new PriceCatalog(merged, new CatalogLoadReport(reports));
    }

    private static CatalogLayer ReadDefault()
    {
        using var stream = typeof(PriceCatalog).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException("The default price catalog is not embedded in " + typeof(PriceCatalog).Assembly.GetName().Name);
        using var reader = new StreamReader(stream);
        return ReadText(DefaultCatalogName, ".yaml", reader.ReadToEnd());
    }

    private static CatalogLayer ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CatalogValidationException(path, null, null, "cannot read the file: " + ex.Message, null, ex);
        }

        return ReadText(path, Path.GetExtension(path), text);
    }

    internal static CatalogLayer ReadText(string file, string extension, string text)
    {
        var yaml = extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase);
        if (!yaml && (extension.Equals(".json", StringComparison.OrdinalIgnoreCase) || text.AsSpan().TrimStart().StartsWith("{")))
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            }
            catch (JsonException ex)
            {
                throw CatalogNode.MalformedJson(file, ex);
            }

            using (doc)
            {
                if (LiteLlmCatalogReader.Looks(doc.RootElement))
                {
                    var (entries, skipped) = LiteLlmCatalogReader.Read(file, doc.RootElement);
                    return new CatalogLayer(file, CatalogFormat.LiteLlm, entries, skipped, null);
                }

                var (native, asOf) = NativeCatalogReader.Read(file, CatalogNode.FromJson(doc.RootElement));
                return new CatalogLayer(file, CatalogFormat.NativeJson, native, [], asOf);
            }
        }

        var (yamlEntries, yamlAsOf) = NativeCatalogReader.Read(file, CatalogNode.ParseYaml(file, text));
        return new CatalogLayer(file, CatalogFormat.NativeYaml, yamlEntries, [], yamlAsOf);
    }

    internal sealed record CatalogLayer(string File, CatalogFormat Format, List<CatalogEntry> Entries, List<SkippedCatalogEntry> Skipped, DateOnly? PricesAsOf);

    private readonly record struct Candidate(CatalogEntry Entry, int Stage, int Within, int Stripped, int Compatibility);

    private sealed record ProviderRanking(string? Provider, ModelPrice[] Ranked);
}
