using System.Text.Json;
using System.Text.RegularExpressions;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>One query of a dashboard panel: where it is, which datasource type runs it, and its text.</summary>
internal sealed record PanelQuery(string Dashboard, string Panel, string RefId, string DatasourceType, string Text);

/// <summary>One template variable of a dashboard and its query.</summary>
internal sealed record TemplateVariable(string Dashboard, string Name, string DatasourceType, string Query, bool IncludeAll, string? AllValue);

/// <summary>Reads the dashboards the way Grafana would run them: their queries, variables, and macro substitution.</summary>
internal static partial class Grafana
{
    public static IReadOnlyList<string> Dashboards() =>
        Directory.GetFiles(RepoPaths.Combine("dashboards"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public static IEnumerable<PanelQuery> Queries(string dashboard)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("dashboards", dashboard)));
        var result = new List<PanelQuery>();
        foreach (var panel in Panels(doc.RootElement.GetProperty("panels")))
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            var title = panel.GetProperty("title").GetString()!;
            foreach (var target in targets.EnumerateArray())
            {
                var ds = target.TryGetProperty("datasource", out var d) ? d : panel.GetProperty("datasource");
                var type = ds.GetProperty("type").GetString()!;
                var text = target.TryGetProperty("expr", out var expr) ? expr.GetString()! : target.GetProperty("query").GetString()!;
                result.Add(new PanelQuery(dashboard, title, target.GetProperty("refId").GetString()!, type, text));
            }
        }

        return result;
    }

    public static IEnumerable<TemplateVariable> Variables(string dashboard)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("dashboards", dashboard)));
        var result = new List<TemplateVariable>();
        foreach (var v in doc.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (v.GetProperty("type").GetString() != "query")
            {
                continue; // the datasource picker has no query
            }

            var q = v.GetProperty("query");
            var text = q.ValueKind == JsonValueKind.String ? q.GetString()! : q.GetProperty("query").GetString()!;
            result.Add(new TemplateVariable(
                dashboard,
                v.GetProperty("name").GetString()!,
                v.GetProperty("datasource").GetProperty("type").GetString()!,
                text,
                v.TryGetProperty("includeAll", out var all) && all.GetBoolean(),
                v.TryGetProperty("allValue", out var av) && av.ValueKind == JsonValueKind.String ? av.GetString() : null));
        }

        return result;
    }

    /// <summary>
    /// Replaces <c>$name</c> and <c>${name}</c> with <paramref name="values"/>; a variable the caller did not
    /// give fails, so a new macro in a dashboard cannot slip through unsubstituted.
    /// </summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values) =>
        VariableReference().Replace(text, m =>
        {
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return values.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"no value for ${name} in: {text}");
        });

    /// <summary>Grafana's <c>label_values(metric, label)</c> split into its series selector and label.</summary>
    public static (string Match, string Label) LabelValues(string query)
    {
        var m = LabelValuesCall().Match(query);
        return m.Success ? (m.Groups[1].Value.Trim(), m.Groups[2].Value) : throw new FormatException("not label_values(...): " + query);
    }

    private static IEnumerable<JsonElement> Panels(JsonElement panels)
    {
        foreach (var p in panels.EnumerateArray())
        {
            yield return p;
            if (p.TryGetProperty("panels", out var nested))
            {
                foreach (var n in Panels(nested))
                {
                    yield return n;
                }
            }
        }
    }

    [GeneratedRegex(@"\$\{(\w+)(?::\w+)?\}|\$(\w+)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\s*label_values\((.*),\s*(\w+)\s*\)\s*$")]
    private static partial Regex LabelValuesCall();
}
