using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// Reads YAML into a <see cref="DocNode"/> tree from the parser's events. The representation model
/// (YamlStream) is not used because it rejects duplicate keys without saying which entry they were in,
/// and a duplicate tenant id deserves a message that names the tenant.
/// </summary>
internal static class YamlTreeReader
{
    /// <returns>The root node, or null when the file holds no document (empty or only comments).</returns>
    public static DocNode? Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                return null;
            }

            parser.Consume<DocumentStart>();
            var anchors = new Dictionary<string, DocNode>(StringComparer.Ordinal);
            var root = ReadNode(parser, anchors);
            parser.Consume<DocumentEnd>();
            if (parser.TryConsume<DocumentStart>(out var second))
            {
                throw new DocSyntaxException(LineOf(second.Start), "holds more than one YAML document; a tenant directory is one document");
            }

            parser.Consume<StreamEnd>();
            return root is DocScalar { IsNull: true } ? null : root;
        }
        catch (YamlException ex)
        {
            // YamlException's message already carries "(Line: n, Col: m ...)"; keep only the line in our format.
            throw new DocSyntaxException(LineOf(ex.Start), "is not valid YAML: " + Describe(ex), ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner can fail this way instead of with a YamlException (seen with a flow
            // sequence left open at the end of a value); the last event it produced is the best line there is.
            var line = LineOf(parser.Current?.Start ?? Mark.Empty);
            throw new DocSyntaxException(line, "is not valid YAML: the parser cannot go on past this line (an unclosed bracket, brace or quote?)", ex);
        }
    }

    private static DocNode ReadNode(IParser parser, Dictionary<string, DocNode> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new DocSyntaxException(LineOf(alias.Start), $"alias '*{alias.Value.Value}' refers to no anchor");
        }

        DocNode node;
        NodeEvent start;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            start = scalar;
            node = new DocScalar(LineOf(scalar.Start), IsNull(scalar) ? null : scalar.Value);
        }
        else if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            start = mapStart;
            var entries = new List<DocEntry>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyLine = LineOf(parser.Current?.Start ?? Mark.Empty);
                var key = ReadNode(parser, anchors);
                if (key is not DocScalar { Text: { } keyText })
                {
                    throw new DocSyntaxException(keyLine, $"a key must be a name, found {key.KindName}");
                }

                entries.Add(new DocEntry(keyText, keyLine, ReadNode(parser, anchors)));
            }

            node = new DocMap(LineOf(mapStart.Start), entries);
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            start = seqStart;
            var items = new List<DocNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, anchors));
            }

            node = new DocList(LineOf(seqStart.Start), items);
        }
        else
        {
            var current = parser.Current;
            throw new DocSyntaxException(LineOf(current?.Start ?? Mark.Empty), $"unexpected {current?.GetType().Name ?? "end of file"}");
        }

        if (!start.Anchor.IsEmpty)
        {
            anchors[start.Anchor.Value] = node;
        }

        return node;
    }

    // YAML core schema nulls; only a plain (unquoted) scalar can be null: "~" in quotes is a string.
    private static bool IsNull(Scalar scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private static int LineOf(Mark mark) => mark.Line > 0 ? (int)mark.Line : 0;

    private static string Describe(YamlException ex)
    {
        // Strip YamlDotNet's "(Line: 3, Col: 5, Idx: 20) - (Line: ...): " prefix; the line is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(Line:", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
    }
}
