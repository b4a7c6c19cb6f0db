namespace UnitEconomics.Cli.Reporting;

internal static class DictionaryExtensions
{
    /// <summary>The value at <paramref name="key"/>, created empty on first use.</summary>
    public static TValue GetOrNew<TKey, TValue>(this Dictionary<TKey, TValue> map, TKey key)
        where TKey : notnull
        where TValue : new()
    {
        if (!map.TryGetValue(key, out var value))
        {
            map[key] = value = new TValue();
        }

        return value;
    }
}
