using System.Text;
using System.Text.Json;

namespace UnitEconomics.Otel.Tenants;

/// <summary>
/// Reads JSON into a <see cref="DocNode"/> tree with <see cref="Utf8JsonReader"/>. JsonDocument would
/// lose the line of each value, which error messages need; the reader gives byte offsets, turned into
/// lines here.
/// </summary>
internal static class JsonTreeReader
{
    /// <returns>The root node, or null when the root is JSON <c>null</c>.</returns>
    public static DocNode? Read(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var lineStarts = LineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
            {
                return null;
            }

            var root = ReadValue(ref reader, lineStarts);
            if (reader.Read())
            {
                throw new DocSyntaxException(LineOf(reader.TokenStartIndex, lineStarts), "is not valid JSON: content after the end of the document");
            }

            return root is DocScalar { IsNull: true } ? null : root;
        }
        catch (JsonException ex)
        {
            var line = ex.LineNumber is long l ? (int)l + 1 : 0;
            throw new DocSyntaxException(line, "is not valid JSON: " + Describe(ex), ex);
        }
    }

    private static DocNode ReadValue(ref Utf8JsonReader reader, int[] lineStarts)
    {
        var line = LineOf(reader.TokenStartIndex, lineStarts);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<DocEntry>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    var keyLine = LineOf(reader.TokenStartIndex, lineStarts);
                    reader.Read();
                    entries.Add(new DocEntry(key, keyLine, ReadValue(ref reader, lineStarts)));
                }

                return new DocMap(line, entries);

            case JsonTokenType.StartArray:
                var items = new List<DocNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lineStarts));
                }

                return new DocList(line, items);

            case JsonTokenType.String:
                return new DocScalar(line, reader.GetString());

            case JsonTokenType.Number:
                // Keep the literal: money is parsed as decimal later, and a double round trip would blur it.
                return new DocScalar(line, Encoding.UTF8.GetString(reader.ValueSpan));

            case JsonTokenType.True:
                return new DocScalar(line, "true");

            case JsonTokenType.False:
                return new DocScalar(line, "false");

            case JsonTokenType.Null:
                return new DocScalar(line, null);

            default:
                throw new DocSyntaxException(line, $"is not valid JSON: unexpected {reader.TokenType}");
        }
    }

    private static int[] LineStarts(byte[] utf8)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return [.. starts];
    }

    private static int LineOf(long offset, int[] lineStarts)
    {
        var index = Array.BinarySearch(lineStarts, (int)offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    private static string Describe(JsonException ex)
    {
        // System.Text.Json appends "LineNumber: n | BytePositionInLine: m."; the line is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd() : message;
    }
}
