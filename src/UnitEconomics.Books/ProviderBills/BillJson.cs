using System.Globalization;
using System.Text.Json;

namespace UnitEconomics.Books.ProviderBills;

/// <summary>
/// Reading the providers' pages strictly: a field that is missing or of the wrong kind is a
/// <see cref="BillException"/> naming where it was, never a default that would read as zero spend.
/// </summary>
internal static class BillJson
{
    public static JsonElement Required(JsonElement obj, string name, JsonValueKind kind, string where)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new BillException($"{where}: expected an object, found {Kind(obj)}");
        }

        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new BillException($"{where}: expected '{name}' to be {Kind(kind)}, found {(obj.TryGetProperty(name, out var found) ? Kind(found) : "nothing")}");
        }

        return value;
    }

    /// <summary>A string property, or null when it is absent or null.</summary>
    public static string? OptionalString(JsonElement obj, string name, string where) =>
        !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new BillException($"{where}: expected '{name}' to be a string or null, found {Kind(value)}");

    /// <summary>A non-negative whole token count; absent or null reads as zero (optional counters of the APIs).</summary>
    public static long OptionalCount(JsonElement obj, string name, string where)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n >= 0
            ? n
            : throw new BillException($"{where}: expected '{name}' to be a whole non-negative number, found {value.GetRawText()}");
    }

    public static long RequiredCount(JsonElement obj, string name, string where)
    {
        Required(obj, name, JsonValueKind.Number, where);
        return OptionalCount(obj, name, where);
    }

    /// <summary>An RFC 3339 timestamp (Anthropic's bucket bounds) as UTC.</summary>
    public static DateTime Timestamp(JsonElement obj, string name, string where)
    {
        var text = Required(obj, name, JsonValueKind.String, where).GetString()!;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime
            : throw new BillException($"{where}: '{name}' is not an RFC 3339 timestamp: '{text}'");
    }

    /// <summary>Unix seconds (OpenAI's bucket bounds) as UTC.</summary>
    public static DateTime UnixSeconds(JsonElement obj, string name, string where)
    {
        var value = Required(obj, name, JsonValueKind.Number, where);
        return value.TryGetInt64(out var seconds) && seconds >= 0
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime
            : throw new BillException($"{where}: '{name}' is not Unix seconds: {value.GetRawText()}");
    }

    private static string Kind(JsonElement e) => Kind(e.ValueKind);

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
