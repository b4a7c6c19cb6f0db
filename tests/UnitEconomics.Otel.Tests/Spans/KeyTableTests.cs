using UnitEconomics.Otel.Spans;
using Xunit;

namespace UnitEconomics.Otel.Tests.Spans;

/// <summary>The per-attribute key table: literal keys hit by reference, equal keys of other instances by content.</summary>
public class KeyTableTests
{
    private static readonly KeyTable<int> Table = new(new Dictionary<string, int>
    {
        ["gen_ai.usage.input_tokens"] = 1,
        ["gen_ai.request.model"] = 2,
        ["ai.use_case"] = 3,
        ["tenant.id"] = 4,
    });

    [Theory]
    [InlineData("gen_ai.usage.input_tokens", 1)]
    [InlineData("gen_ai.request.model", 2)]
    [InlineData("ai.use_case", 3)]
    [InlineData("tenant.id", 4)]
    public void Literal_keys_are_found(string key, int expected)
    {
        Assert.True(Table.TryGetValue(key, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void A_key_built_at_run_time_is_found_by_content()
    {
        var built = new string("tenant.id".AsSpan()); // equal characters, not the interned instance
        Assert.False(ReferenceEquals(built, "tenant.id"));
        Assert.True(Table.TryGetValue(built, out var value));
        Assert.Equal(4, value);
        Assert.True(Table.TryGetValue("x tenant.id y".AsSpan(2, 9), out value));
        Assert.Equal(4, value);
    }

    [Theory]
    [InlineData("server.port")]                // same length as ai.use_case, other first character
    [InlineData("ai.use_casE")]                // same length, same first character, other last
    [InlineData("ai.usE_case")]                // same first and last characters, other middle
    [InlineData("gen_ai.request.max_tokens")]  // same length as gen_ai.usage.input_tokens
    [InlineData("a-key-longer-than-any-key-in-the-table")]
    [InlineData("")]
    public void Other_keys_miss(string key)
    {
        Assert.False(Table.TryGetValue(key, out _));
        Assert.False(Table.TryGetValue(key.AsSpan(), out _));
    }
}
