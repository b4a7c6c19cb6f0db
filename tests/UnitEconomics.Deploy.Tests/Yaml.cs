using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace UnitEconomics.Deploy.Tests;

/// <summary>Reads YAML into plain dictionaries and lists, and walks them with short helpers.</summary>
internal static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static Dictionary<object, object> Load(string path) => Parse(File.ReadAllText(path));

    public static Dictionary<object, object> Parse(string text) =>
        Deserializer.Deserialize<Dictionary<object, object>>(text) ?? throw new InvalidOperationException("empty YAML");

    /// <summary>Every document of a multi-document file (Kubernetes manifests).</summary>
    public static List<Dictionary<object, object>> LoadAll(string path)
    {
        var documents = new List<Dictionary<object, object>>();
        var parser = new Parser(new StringReader(File.ReadAllText(path)));
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var doc = Deserializer.Deserialize<Dictionary<object, object>?>(parser);
            if (doc is not null)
            {
                documents.Add(doc);
            }
        }

        return documents;
    }

    public static Dictionary<object, object> Map(this object? node, string key) =>
        node.Get(key) as Dictionary<object, object> ?? throw new KeyNotFoundException($"'{key}' is not a mapping");

    public static List<object> List(this object? node, string key) =>
        node.Get(key) as List<object> ?? throw new KeyNotFoundException($"'{key}' is not a list");

    public static string Str(this object? node, string key) =>
        node.Get(key)?.ToString() ?? throw new KeyNotFoundException($"'{key}' is missing");

    public static object? Get(this object? node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) ? value : null;

    public static IEnumerable<Dictionary<object, object>> Maps(this List<object> list) => list.Cast<Dictionary<object, object>>();

    public static IEnumerable<string> Strings(this object? node) =>
        node is List<object> list ? list.Select(o => o.ToString()!) : [];
}
