using UnitEconomics.Otel.Pricing;
using Xunit;

namespace UnitEconomics.Otel.Tests.Pricing;

/// <summary>Every rejected catalog names the file, the entry and the field in its message.</summary>
public sealed class PriceCatalogValidationTests : IDisposable
{
    private readonly CatalogFiles files = new();

    public void Dispose() => this.files.Dispose();

    [Fact]
    public void Negative_price()
    {
        var ex = this.Reject("neg.yaml", """
            models:
              gpt-4o:
                input: 2.5
                output: -10
            """);

        AssertNames(ex, "neg.yaml", "gpt-4o", "output");
        Assert.Contains("must not be negative", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void Negative_price_inside_a_tier()
    {
        var ex = this.Reject("tier.yaml", """
            models:
              gemini-2.5-pro:
                input: 1.25
                output: 10
                tiers:
                  - { above_input_tokens: 200000, input: 2.5 }
                  - { above_input_tokens: 500000, input: -1 }
            """);

        AssertNames(ex, "tier.yaml", "gemini-2.5-pro", "tiers[1].input");
    }

    [Fact]
    public void Bad_regex()
    {
        var ex = this.Reject("regex.yaml", """
            models:
              llama:
                match: { regex: ['^llama-(3'] }
                input: 0.2
                output: 0.2
            """);

        AssertNames(ex, "regex.yaml", "llama", "match.regex");
        Assert.Contains("invalid regular expression '^llama-(3'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_in_an_entry()
    {
        var ex = this.Reject("typo.yaml", """
            models:
              gpt-4o:
                input: 2.5
                ouptut: 10
            """);

        AssertNames(ex, "typo.yaml", "gpt-4o", "ouptut");
        Assert.Contains("unknown key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_in_batch()
    {
        var ex = this.Reject("batch.json", """
            { "models": { "gpt-4o": { "input": 2.5, "output": 10, "batch": { "inptu": 1.25 } } } }
            """);

        AssertNames(ex, "batch.json", "gpt-4o", "batch.inptu");
    }

    [Fact]
    public void Overlapping_effective_ranges_of_entries_matching_one_name()
    {
        var ex = this.Reject("history.yaml", """
            models:
              gpt-4o-2024:
                provider: openai
                match: { exact: [gpt-4o] }
                input: 5
                output: 15
                effective_to: 2024-10-01
              gpt-4o-2025:
                provider: openai
                match: { exact: [gpt-4o] }
                input: 2.5
                output: 10
                effective_from: 2024-09-01
            """);

        AssertNames(ex, "history.yaml", "gpt-4o-2025", "effective_from");
        Assert.Contains("overlaps entry 'gpt-4o-2024'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_entries_with_the_same_exact_name_and_equal_precedence()
    {
        var ex = this.Reject("tie.yaml", """
            models:
              gpt-4o:
                provider: openai
                input: 2.5
                output: 10
              gpt4o-alias:
                provider: openai
                match: { exact: [GPT-4o] }
                input: 2
                output: 8
            """);

        AssertNames(ex, "tie.yaml", "gpt4o-alias", "match.exact");
        Assert.Contains("equal precedence", ex.Message, StringComparison.Ordinal);
        Assert.Contains("entry 'gpt-4o'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_entries_with_the_same_prefix_and_overlapping_ranges()
    {
        var ex = this.Reject("prefix.yaml", """
            models:
              llama-a:
                match: { prefix: [llama-3] }
                input: 0.2
                output: 0.2
              llama-b:
                match: { prefix: [llama-3] }
                input: 0.3
                output: 0.3
            """);

        AssertNames(ex, "prefix.yaml", "llama-b", "match.prefix");
        Assert.Contains("equal precedence", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Effective_to_not_after_effective_from()
    {
        var ex = this.Reject("dates.yaml", """
            models:
              gpt-4o:
                input: 2.5
                output: 10
                effective_from: 2025-01-01
                effective_to: 2025-01-01
            """);

        AssertNames(ex, "dates.yaml", "gpt-4o", "effective_to");
        Assert.Contains("must be after effective_from (2025-01-01)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        var ex = this.Reject("broken.yaml", "models:\n  gpt-4o:\n    input: [2.5\n    output: 10\n");

        Assert.Contains("broken.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("malformed YAML", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.Line);
        Assert.Contains($"line {ex.Line}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        var ex = this.Reject("broken.json", "{\n  \"models\": {\n    \"gpt-4o\": { \"input\": 2.5 \"output\": 10 }\n  }\n}\n");

        Assert.Contains("malformed JSON", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.Line);
        Assert.Contains("broken.json' line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entry_without_any_price()
    {
        var ex = this.Reject("empty.yaml", """
            models:
              gpt-4o: { provider: openai }
            """);

        AssertNames(ex, "empty.yaml", "gpt-4o", "input");
    }

    [Fact]
    public void Price_that_is_not_a_number()
    {
        var ex = this.Reject("text.yaml", """
            models:
              gpt-4o: { input: "$2.50", output: 10 }
            """);

        AssertNames(ex, "text.yaml", "gpt-4o", "input");
        Assert.Contains("must be a number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_validation_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-catalog-" + Guid.NewGuid().ToString("N") + ".yaml");

        var ex = Assert.Throws<CatalogValidationException>(() => PriceCatalog.Load(path));

        Assert.Equal(path, ex.File);
        Assert.Contains("cannot read", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertNames(CatalogValidationException ex, string file, string entry, string field)
    {
        Assert.EndsWith(file, ex.File, StringComparison.Ordinal);
        Assert.Equal(entry, ex.Entry);
        Assert.Equal(field, ex.Field);
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"entry '{entry}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"field '{field}'", ex.Message, StringComparison.Ordinal);
    }

    private CatalogValidationException Reject(string name, string text)
    {
        var path = this.files.Write(name, text);
        return Assert.Throws<CatalogValidationException>(() => PriceCatalog.Load(path));
    }
}
