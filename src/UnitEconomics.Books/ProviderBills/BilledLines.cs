using System.Text.Json;
using System.Text.Json.Serialization;

namespace UnitEconomics.Books.ProviderBills;

/// <summary>
/// Token counts in the engine's disjoint types (DESIGN §3) as a bill can state them: uncached input,
/// cache read, cache write, and output (reasoning included: no provider bills it apart from output).
/// </summary>
[JsonConverter(typeof(TokenCountsJsonConverter))]
public readonly record struct TokenCounts(long Input, long CacheRead, long CacheWrite, long Output)
{
    /// <summary>The token types a bill and the traces are compared by, in the order they are shown.</summary>
    public static readonly string[] TypeNames = ["input", "cache_read", "cache_write", "output"];

    public long Total => this.Input + this.CacheRead + this.CacheWrite + this.Output;

    public bool IsZero => this.Total == 0;

    public static TokenCounts operator +(TokenCounts a, TokenCounts b) =>
        new(a.Input + b.Input, a.CacheRead + b.CacheRead, a.CacheWrite + b.CacheWrite, a.Output + b.Output);

    /// <summary>The count of one of <see cref="TypeNames"/>.</summary>
    public long Of(string tokenType) => tokenType switch
    {
        "input" => this.Input,
        "cache_read" => this.CacheRead,
        "cache_write" => this.CacheWrite,
        "output" => this.Output,
        _ => throw new ArgumentOutOfRangeException(nameof(tokenType), tokenType, "not a reconciled token type"),
    };
}

/// <summary>Token counts in JSON as an object of the four types, whatever serializer options are in use.</summary>
public sealed class TokenCountsJsonConverter : JsonConverter<TokenCounts>
{
    public override TokenCounts Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var e = doc.RootElement;
        long Get(string name) => e.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
        return new TokenCounts(Get("input"), Get("cache_read"), Get("cache_write"), Get("output"));
    }

    public override void Write(Utf8JsonWriter writer, TokenCounts value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var type in TokenCounts.TypeNames)
        {
            writer.WriteNumber(type, value.Of(type));
        }

        writer.WriteEndObject();
    }
}

/// <summary>Money the provider billed for one UTC day; <see cref="Model"/> is null when the bill does not say.</summary>
public sealed record BilledCost(DateTime Day, string? Model, decimal Usd, string Description);

/// <summary>Tokens the provider metered for one UTC day and model.</summary>
public sealed record BilledUsage(DateTime Day, string? Model, TokenCounts Tokens, long Requests);

/// <summary>
/// One provider's bill over a window, as read from its cost and usage endpoints (live or saved):
/// every cost line and every usage line of every page.
/// </summary>
public sealed class ProviderBill
{
    public ProviderBill(string provider, IReadOnlyList<BilledCost> costs, IReadOnlyList<BilledUsage> usage)
    {
        this.Provider = provider;
        this.Costs = costs;
        this.Usage = usage;
    }

    /// <summary>The provider's name as the engine labels it (<c>gen_ai.provider.name</c>): <c>openai</c>, <c>anthropic</c>.</summary>
    public string Provider { get; }

    public IReadOnlyList<BilledCost> Costs { get; }

    public IReadOnlyList<BilledUsage> Usage { get; }

    public decimal TotalUsd => this.Costs.Sum(c => c.Usd);

    /// <summary>The end of the last day the bill has anything for (exclusive), or null for an empty bill.</summary>
    public DateTime? CoversUntil =>
        this.Costs.Select(c => c.Day).Concat(this.Usage.Select(u => u.Day)).DefaultIfEmpty().Max() is var last && last == default ? null : last.AddDays(1);
}

/// <summary>A bill that could not be read: the message names the source (file, endpoint, page) and what was wrong, in one line.</summary>
public sealed class BillException : Exception
{
    public BillException()
    {
    }

    public BillException(string message)
        : base(message)
    {
    }

    public BillException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
