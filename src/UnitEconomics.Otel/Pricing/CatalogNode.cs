using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// A parsed YAML or JSON document reduced to maps, lists and scalars with their line numbers, so the
/// native format has one reader and one set of error messages whatever the syntax.
/// </summary>
internal abstract class CatalogNode
{
    /// <summary>1-based, when the parser reports it (YAML does, <see cref="JsonDocument"/> does not).</summary>
    public int? Line { get; init; }

    public abstract string Kind { get; }

    public static CatalogNode ParseYaml(string file, string text)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            throw new CatalogValidationException(file, null, null, "malformed YAML: " + FirstLine(ex.Message), (int)ex.Start.Line, ex);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Some malformed inputs (an unclosed flow sequence, a duplicate key) escape the scanner as
            // these; the last event the parser produced is the best line there is.
            int? line = parser.Current is { } last ? (int)last.End.Line : null;
            var problem = ex is InvalidOperationException ? "the parser stopped here (an unclosed bracket or quote?)" : FirstLine(ex.Message);
            throw new CatalogValidationException(file, null, null, "malformed YAML: " + problem, line, ex);
        }

        if (stream.Documents.Count == 0)
        {
            throw new CatalogValidationException(file, null, null, "the file is empty", 1);
        }

        return FromYaml(file, stream.Documents[0].RootNode);
    }

    public static CatalogNode ParseJson(string file, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return FromJson(doc.RootElement);
        }
        catch (JsonException ex)
        {
            throw MalformedJson(file, ex);
        }
    }

    /// <summary>
    /// One error for a JSON file that does not parse, whoever parsed it: the line (counted from 1, as
    /// editors do) and column in the location, and the parser's reason without its own 0-based position.
    /// </summary>
    internal static CatalogValidationException MalformedJson(string file, JsonException ex)
    {
        int? line = ex.LineNumber is long l ? (int)l + 1 : null;
        var reason = FirstLine(ex.Message);
        var position = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = (position < 0 ? reason : reason[..position]).TrimEnd();
        var column = ex.BytePositionInLine is long b ? $", column {b + 1}" : string.Empty;
        return new CatalogValidationException(file, null, null, $"malformed JSON{column}: {reason}", line, ex);
    }

    private static string FirstLine(string message)
    {
        var cut = message.IndexOfAny(['\r', '\n']);
        return cut < 0 ? message : message[..cut];
    }

    private static CatalogNode FromYaml(string file, YamlNode node)
    {
        var line = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode map:
                var items = new List<KeyValuePair<string, CatalogNode>>(map.Children.Count);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode s ? s.Value ?? string.Empty : key.ToString();
                    if (!seen.Add(name))
                    {
                        throw new CatalogValidationException(file, null, name, "duplicate key", (int)key.Start.Line);
                    }

                    items.Add(new(name, FromYaml(file, value)));
                }

                return new MapNode(items) { Line = line };
            case YamlSequenceNode seq:
                return new ListNode([.. seq.Children.Select(c => FromYaml(file, c))]) { Line = line };
            case YamlScalarNode scalar:
                var isNull = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain
                    && (scalar.Value is null || scalar.Value.Length == 0 || scalar.Value is "~" or "null" or "Null" or "NULL");
                return new ScalarNode(isNull ? null : scalar.Value) { Line = line };
            default:
                throw new CatalogValidationException(file, null, null, "unsupported YAML node (aliases are not supported)", line);
        }
    }

    internal static CatalogNode FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new MapNode([.. e.EnumerateObject().Select(p => new KeyValuePair<string, CatalogNode>(p.Name, FromJson(p.Value)))]),
        JsonValueKind.Array => new ListNode([.. e.EnumerateArray().Select(FromJson)]),
        JsonValueKind.String => new ScalarNode(e.GetString()),
        JsonValueKind.Number => new ScalarNode(e.GetRawText()),
        JsonValueKind.True => new ScalarNode("true"),
        JsonValueKind.False => new ScalarNode("false"),
        _ => new ScalarNode(null),
    };
}

internal sealed class MapNode(IReadOnlyList<KeyValuePair<string, CatalogNode>> items) : CatalogNode
{
    public IReadOnlyList<KeyValuePair<string, CatalogNode>> Items { get; } = items;

    public override string Kind => "a mapping";
}

internal sealed class ListNode(IReadOnlyList<CatalogNode> items) : CatalogNode
{
    public IReadOnlyList<CatalogNode> Items { get; } = items;

    public override string Kind => "a list";
}

internal sealed class ScalarNode(string? text) : CatalogNode
{
    /// <summary>Null for YAML <c>~</c>/empty and JSON <c>null</c>.</summary>
    public string? Text { get; } = text;

    public override string Kind => "a value";

    /// <summary>Numbers are read as <see cref="decimal"/> from their text: 2.5e-06 stays exactly 0.0000025.</summary>
    public bool TryDecimal(out decimal value) =>
        decimal.TryParse(this.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
