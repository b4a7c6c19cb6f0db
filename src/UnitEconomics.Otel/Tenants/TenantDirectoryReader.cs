using System.Globalization;

namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// Turns a tenant directory file (YAML or JSON, see docs/tenants.md) into a <see cref="TenantDirectory"/>,
/// rejecting anything doubtful with a <see cref="TenantDirectoryException"/>: a directory that silently
/// drops a tenant or misreads a price skews every margin computed from it.
/// </summary>
internal static class TenantDirectoryReader
{
    internal const string TiersKey = "tiers";
    internal const string TenantsKey = "tenants";
    internal const string InfraKey = "infra";
    internal const string RevenueKey = "revenue";
    internal const string TierRevenueKey = "revenue_per_customer_per_month";
    internal const string TierFreeKey = "free";
    internal const string TierInfraKey = "infra_cost_per_month";
    internal const string TenantTierKey = "tier";
    internal const string TenantRevenueKey = "revenue_per_month";
    internal const string TenantEngagementKey = "engagement";

    public static TenantDirectory Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TenantDirectoryException(path, 0, null, null, "file not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TenantDirectoryException(path, 0, null, null, "cannot be read: " + ex.Message, ex);
        }

        return Parse(text, path);
    }

    public static TenantDirectory Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(sourceName);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new TenantDirectoryException(sourceName, 0, null, null, "is empty; expected 'tiers' and 'tenants'");
        }

        DocNode? root;
        try
        {
            root = IsJson(text, sourceName) ? JsonTreeReader.Read(text) : YamlTreeReader.Read(text);
        }
        catch (DocSyntaxException ex)
        {
            throw new TenantDirectoryException(sourceName, ex.Line, null, null, ex.Message, ex.InnerException);
        }

        return new Validator(sourceName).Build(root);
    }

    // The extension decides; a file named otherwise is JSON when it starts like a JSON object.
    private static bool IsJson(string text, string sourceName)
    {
        if (sourceName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (sourceName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || sourceName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal);
    }

    private sealed class Validator(string source)
    {
        public TenantDirectory Build(DocNode? root)
        {
            if (root is null)
            {
                throw this.Fail(0, null, null, "is empty; expected 'tiers' and 'tenants'");
            }

            if (root is not DocMap top)
            {
                throw this.Fail(root.Line, null, null, $"must be a mapping with 'tiers' and 'tenants', found {root.KindName}");
            }

            DocEntry? tiersEntry = null;
            DocEntry? tenantsEntry = null;
            DocEntry? infraEntry = null;
            DocEntry? revenueEntry = null;
            foreach (var entry in top.Entries)
            {
                switch (entry.Key)
                {
                    case TiersKey:
                        this.RejectDuplicate(tiersEntry, entry, null);
                        tiersEntry = entry;
                        break;
                    case TenantsKey:
                        this.RejectDuplicate(tenantsEntry, entry, null);
                        tenantsEntry = entry;
                        break;
                    case InfraKey:
                        this.RejectDuplicate(infraEntry, entry, null);
                        infraEntry = entry;
                        break;
                    case RevenueKey:
                        // Carried, not read: the billing source's settings are the host's (docs/tenants.md).
                        this.RejectDuplicate(revenueEntry, entry, null);
                        revenueEntry = entry;
                        break;
                    default:
                        throw this.Fail(entry.KeyLine, null, entry.Key, "unknown top-level key; expected 'tiers', 'tenants', 'infra' or 'revenue'");
                }
            }

            if (tiersEntry is not { } tiersAt)
            {
                throw this.Fail(top.Line, null, TiersKey, "missing: the file must define its tiers");
            }

            var tiers = this.ReadTiers(tiersAt);
            var tenants = tenantsEntry is { } tenantsAt ? this.ReadTenants(tenantsAt, tiers) : [];
            var infra = infraEntry is { } infraAt ? this.ReadInfra(infraAt) : null;
            return new TenantDirectory(tiers.Values, tenants, source, infra)
            {
                RevenueSettings = revenueEntry is { } r ? new TenantFileSection(source, RevenueKey, r.Value) : null,
            };
        }

        /// <summary>The <c>infra:</c> section, kept as plain values for a host's <see cref="IInfraCostSource"/> to interpret.</summary>
        private InfraSection ReadInfra(DocEntry section) => section.Value switch
        {
            DocMap map => new InfraSection(source, section.KeyLine, (IReadOnlyDictionary<string, object?>)this.Plain(map)!),
            var other => throw this.Fail(other.Line, null, section.Key, $"must be a mapping of settings, found {other.KindName}"),
        };

        private object? Plain(DocNode node) => node switch
        {
            DocScalar s => s.Text,
            DocList l => l.Items.Select(this.Plain).ToList(),
            DocMap m => m.Entries.Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (d, e) =>
            {
                if (!d.TryAdd(e.Key, this.Plain(e.Value)))
                {
                    throw this.Fail(e.KeyLine, null, e.Key, "given twice");
                }

                return d;
            }),
            _ => null,
        };

        private Dictionary<string, TierInfo> ReadTiers(DocEntry section)
        {
            var tiers = new Dictionary<string, TierInfo>(StringComparer.Ordinal);
            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            var map = this.SectionMap(section);
            foreach (var entry in map?.Entries ?? [])
            {
                var name = entry.Key;
                var what = $"tier '{name}'";
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw this.Fail(entry.KeyLine, "tier ''", null, "a tier needs a name");
                }

                if (name == TenantDirectory.UnknownTier)
                {
                    throw this.Fail(entry.KeyLine, what, null, $"the name '{TenantDirectory.UnknownTier}' is reserved for tenants missing from the directory");
                }

                if (lines.TryGetValue(name, out var firstLine))
                {
                    throw this.Fail(entry.KeyLine, what, null, $"duplicate tier (first defined on line {firstLine})");
                }

                lines[name] = entry.KeyLine;
                var fields = this.Fields(entry, what, TierRevenueKey, TierFreeKey, TierInfraKey);
                var revenue = this.Money(fields, what, TierRevenueKey, entry.KeyLine, required: true)!.Value;
                var infra = this.Money(fields, what, TierInfraKey, entry.KeyLine, required: false) ?? 0m;
                var free = this.Bool(fields, what, TierFreeKey) ?? revenue == 0m;
                if (free && revenue != 0m)
                {
                    throw this.Fail(fields[TierFreeKey].Line, what, TierFreeKey, $"a free tier cannot have {TierRevenueKey} {revenue.ToString(CultureInfo.InvariantCulture)}");
                }

                tiers[name] = new TierInfo(name, revenue, free, infra);
            }

            return tiers;
        }

        private List<TenantInfo> ReadTenants(DocEntry section, Dictionary<string, TierInfo> tiers)
        {
            var tenants = new List<TenantInfo>();
            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            var map = this.SectionMap(section);
            foreach (var entry in map?.Entries ?? [])
            {
                var id = entry.Key;
                var what = $"tenant '{id}'";
                if (string.IsNullOrWhiteSpace(id))
                {
                    throw this.Fail(entry.KeyLine, "tenant ''", null, "a tenant needs a non-blank id");
                }

                if (lines.TryGetValue(id, out var firstLine))
                {
                    throw this.Fail(entry.KeyLine, what, null, $"duplicate tenant id (first defined on line {firstLine})");
                }

                lines[id] = entry.KeyLine;
                var fields = this.Fields(entry, what, TenantTierKey, TenantRevenueKey, TenantEngagementKey);
                if (!fields.TryGetValue(TenantTierKey, out var tierNode) || tierNode is DocScalar { IsNull: true })
                {
                    throw this.Fail(entry.KeyLine, what, TenantTierKey, "missing: every tenant needs a tier");
                }

                if (tierNode is not DocScalar { Text: { } tierName })
                {
                    throw this.Fail(tierNode.Line, what, TenantTierKey, $"must be a tier name, found {tierNode.KindName}");
                }

                if (!tiers.TryGetValue(tierName, out var tier))
                {
                    var known = tiers.Count == 0 ? "none are defined" : "known tiers: " + string.Join(", ", tiers.Keys);
                    throw this.Fail(tierNode.Line, what, TenantTierKey, $"unknown tier '{tierName}' ({known})");
                }

                var ownRevenue = this.Money(fields, what, TenantRevenueKey, entry.KeyLine, required: false);
                var engagement = this.Engagement(fields, what);
                tenants.Add(new TenantInfo(id, tier.Name, ownRevenue ?? tier.RevenuePerCustomerPerMonth, engagement)
                {
                    RevenueSource = ownRevenue is null ? TenantFigureSources.TierPrice : TenantFigureSources.File,
                });
            }

            return tenants;
        }

        /// <summary>The section's mapping; null for an empty section (<c>tenants:</c> with nothing under it).</summary>
        private DocMap? SectionMap(DocEntry section) => section.Value switch
        {
            DocMap map => map,
            DocScalar { IsNull: true } => null,
            DocList list when section.Key == TenantsKey =>
                throw this.Fail(list.Line, null, section.Key, "must be a mapping of tenant id to its fields (tenant-id: { tier: ... }), found a list"),
            var other => throw this.Fail(other.Line, null, section.Key, $"must be a mapping of name to fields, found {other.KindName}"),
        };

        /// <summary>The entry's fields by name, refusing unknown and repeated keys.</summary>
        private Dictionary<string, DocNode> Fields(DocEntry entry, string what, params string[] allowed)
        {
            var fields = new Dictionary<string, DocNode>(StringComparer.Ordinal);
            switch (entry.Value)
            {
                case DocScalar { IsNull: true }:
                    return fields;
                case DocMap map:
                    foreach (var field in map.Entries)
                    {
                        if (Array.IndexOf(allowed, field.Key) < 0)
                        {
                            throw this.Fail(field.KeyLine, what, field.Key, "unknown key; expected one of " + string.Join(", ", allowed));
                        }

                        if (!fields.TryAdd(field.Key, field.Value))
                        {
                            throw this.Fail(field.KeyLine, what, field.Key, "given twice");
                        }
                    }

                    return fields;
                default:
                    throw this.Fail(entry.Value.Line, what, null, $"must be a mapping of fields ({string.Join(", ", allowed)}), found {entry.Value.KindName}");
            }
        }

        private decimal? Money(Dictionary<string, DocNode> fields, string what, string field, int entryLine, bool required)
        {
            if (!fields.TryGetValue(field, out var node) || node is DocScalar { IsNull: true })
            {
                if (required)
                {
                    throw this.Fail(entryLine, what, field, "missing (USD per month)");
                }

                return null;
            }

            if (node is not DocScalar { Text: { } text }
                || !decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw this.Fail(node.Line, what, field, $"must be a number of USD, found {Show(node)}");
            }

            return value < 0m ? throw this.Fail(node.Line, what, field, $"must not be negative, found {text}") : value;
        }

        private double Engagement(Dictionary<string, DocNode> fields, string what)
        {
            if (!fields.TryGetValue(TenantEngagementKey, out var node) || node is DocScalar { IsNull: true })
            {
                return 0d;
            }

            if (node is not DocScalar { Text: { } text }
                || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                || !double.IsFinite(value))
            {
                throw this.Fail(node.Line, what, TenantEngagementKey, $"must be a finite number, found {Show(node)}");
            }

            return value < 0d ? throw this.Fail(node.Line, what, TenantEngagementKey, $"must not be negative, found {text}") : value;
        }

        private bool? Bool(Dictionary<string, DocNode> fields, string what, string field)
        {
            if (!fields.TryGetValue(field, out var node) || node is DocScalar { IsNull: true })
            {
                return null;
            }

            // Only true/false: YAML 1.1's yes/no/on/off are a classic source of surprises.
            return node switch
            {
                DocScalar { Text: { } t } when t.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
                DocScalar { Text: { } t } when t.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
                _ => throw this.Fail(node.Line, what, field, $"must be true or false, found {Show(node)}"),
            };
        }

        private void RejectDuplicate(DocEntry? first, DocEntry again, string? entry)
        {
            if (first is { } f)
            {
                throw this.Fail(again.KeyLine, entry, again.Key, $"given twice (first on line {f.KeyLine})");
            }
        }

        private static string Show(DocNode node) => node is DocScalar { Text: { } t } ? $"'{t}'" : node.KindName;

        private TenantDirectoryException Fail(int line, string? entry, string? field, string problem) =>
            new(source, line, entry, field, problem);
    }
}
