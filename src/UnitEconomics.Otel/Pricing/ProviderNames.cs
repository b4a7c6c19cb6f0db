using System.Collections.Frozen;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// Maps LiteLLM's provider names (<c>litellm_provider</c>, and the first segment of ids such as
/// <c>azure/gpt-4o</c>) to <c>gen_ai.provider.name</c> values, so a catalog entry and a span agree on who
/// served the call. Names without an obvious counterpart pass through unchanged.
/// </summary>
internal static class ProviderNames
{
    private static readonly FrozenDictionary<string, string> LiteLlm = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = "openai",
        ["text-completion-openai"] = "openai",
        ["anthropic"] = "anthropic",
        ["azure"] = "azure.ai.openai",
        ["azure_text"] = "azure.ai.openai",
        ["azure_ai"] = "azure.ai.inference",
        ["vertex_ai"] = "gcp.vertex_ai",
        ["gemini"] = "gcp.gemini",
        ["bedrock"] = "aws.bedrock",
        ["bedrock_converse"] = "aws.bedrock",
        ["mistral"] = "mistral_ai",
        ["codestral"] = "mistral_ai",
        ["text-completion-codestral"] = "mistral_ai",
        ["cohere"] = "cohere",
        ["cohere_chat"] = "cohere",
        ["xai"] = "x_ai",
        ["groq"] = "groq",
        ["deepseek"] = "deepseek",
        ["perplexity"] = "perplexity",
        ["watsonx"] = "ibm.watsonx.ai",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The <c>gen_ai.provider.name</c> for a LiteLLM provider name.</summary>
    public static string FromLiteLlm(string litellmProvider)
    {
        if (LiteLlm.TryGetValue(litellmProvider, out var mapped))
        {
            return mapped;
        }

        // LiteLLM splits Vertex AI by model family: vertex_ai-language-models, vertex_ai-anthropic_models, ...
        return litellmProvider.StartsWith("vertex_ai", StringComparison.OrdinalIgnoreCase) ? "gcp.vertex_ai" : litellmProvider;
    }

    /// <summary>The provider a <c>provider/model</c> name's first segment stands for, if it is a known one.</summary>
    internal static string? FromPrefix(ReadOnlySpan<char> segment)
    {
        var lookup = LiteLlm.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(segment, out var mapped) ? mapped : null;
    }
}
