using System.Diagnostics;
using UnitEconomics.Otel.Spans;
using Xunit;
using A = UnitEconomics.Otel.Spans.GenAiAttributes;

namespace UnitEconomics.Otel.Tests.Spans;

public class SpanNormalizerTests
{
    [Fact]
    public void Reads_every_primary_key()
    {
        var span = TestSpans.Ended("chat gpt-4o",
            (A.GenAi.OperationName, "chat"), (A.GenAi.ProviderName, "openai"), (A.GenAi.Request.Model, "gpt-4o"),
            (A.GenAi.Response.Model, "gpt-4o-2024-08-06"), (A.GenAi.Usage.InputTokens, 1200), (A.GenAi.Usage.OutputTokens, 300),
            (A.GenAi.Usage.CacheReadInputTokens, 1000), (A.GenAi.Usage.CacheCreationInputTokens, 0), (A.GenAi.Usage.ReasoningOutputTokens, 50),
            (A.GenAi.ConversationId, "conv-1"), (A.GenAi.Agent.Name, "planner"), ("tenant.id", "acme"), ("ai.use_case", "support"),
            (A.GenAi.Response.Id, "resp-9"));

        Assert.Equal(NormalizeResult.Ok, TestSpans.Normalize(span, out var call, out _));
        Assert.Equal("chat", call.Operation);
        Assert.Equal(OperationKind.Inference, call.Kind);
        Assert.Equal("openai", call.Provider);
        Assert.Equal("gpt-4o-2024-08-06", call.Model); // the billed (response) model wins over the requested one
        Assert.Equal(new TokenParts(200, 1000, 0, 250, 50), call.Parts);
        Assert.Equal("conv-1", call.ConversationId);
        Assert.Equal("planner", call.AgentName);
        Assert.Equal("acme", call.Tenant);
        Assert.Equal("support", call.UseCase);
        Assert.Equal("resp-9", call.ResponseId);
        Assert.Equal(250, call.DurationMs);
        Assert.Equal(span.TraceId, call.TraceId);
    }

    [Theory]
    [InlineData(A.GenAi.Usage.PromptTokens, A.GenAi.Usage.CompletionTokens)]
    [InlineData(A.Llm.PromptTokenCount, A.Llm.CompletionTokenCount)]
    public void Reads_token_aliases(string inputKey, string outputKey)
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.Request.Model, "m"), (inputKey, 10), (outputKey, 20));
        Assert.Equal(NormalizeResult.Ok, TestSpans.Normalize(span, out var call, out _));
        Assert.Equal(10, call.InputTokens);
        Assert.Equal(20, call.OutputTokens);
    }

    [Fact]
    public void Primary_key_wins_over_alias_whatever_the_order()
    {
        var span = TestSpans.Ended("chat", (A.GenAi.Usage.PromptTokens, 999), (A.GenAi.Usage.InputTokens, 10),
            (A.GenAi.Usage.CacheReadInputTokensLegacy, 7), (A.GenAi.Usage.CacheReadInputTokens, 3),
            (A.GenAi.Usage.CacheCreationInputTokensLegacy, 6), (A.GenAi.Usage.CacheWriteInputTokens, 5), (A.GenAi.Usage.CacheCreationInputTokens, 4),
            (A.GenAi.Usage.ReasoningTokensLegacy, 9), (A.GenAi.Usage.ReasoningOutputTokens, 2), (A.GenAi.Usage.OutputTokens, 8),
            (A.GenAi.System, "az.ai.openai"), (A.GenAi.ProviderName, "openai"), ("session.id", "s"), (A.GenAi.ConversationId, "c"),
            (A.GenAi.Agent.Id, "id-1"), (A.GenAi.Agent.Name, "name-1"));
        Assert.Equal(NormalizeResult.Ok, TestSpans.Normalize(span, out var call, out _));
        Assert.Equal((10, 3, 4, 8, 2), (call.InputTokens, call.CacheReadTokens, call.CacheWriteTokens, call.OutputTokens, call.ReasoningTokens));
        Assert.Equal("openai", call.Provider);
        Assert.Equal("c", call.ConversationId);
        Assert.Equal("name-1", call.AgentName);
    }

    [Theory]
    [InlineData("az.ai.openai", "azure.ai.openai")]
    [InlineData("vertex_ai", "gcp.vertex_ai")]
    [InlineData("gemini", "gcp.gemini")]
    [InlineData("xai", "x_ai")]
    [InlineData("anthropic", "anthropic")]
    public void Maps_deprecated_system_values(string system, string provider)
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.System, system));
        TestSpans.Normalize(span, out var call, out _);
        Assert.Equal(provider, call.Provider);
    }

    [Fact]
    public void Operation_falls_back_to_the_span_name_prefix()
    {
        var span = TestSpans.Ended("embeddings text-embedding-3-small", (A.GenAi.Usage.InputTokens, 8));
        Assert.Equal(NormalizeResult.Ok, TestSpans.Normalize(span, out var call, out _));
        Assert.Equal("embeddings", call.Operation);
        Assert.Equal(OperationKind.Inference, call.Kind);
    }

    [Fact]
    public void Token_values_may_be_int_long_double_or_string()
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.Usage.InputTokens, 7L), (A.GenAi.Usage.OutputTokens, 5.0),
            (A.GenAi.Usage.CacheReadInputTokens, "3"), (A.GenAi.Usage.ReasoningOutputTokens, (short)1));
        Assert.Equal(NormalizeResult.Ok, TestSpans.Normalize(span, out var call, out _));
        Assert.Equal((7, 5, 3, 1), (call.InputTokens, call.OutputTokens, call.CacheReadTokens, call.ReasoningTokens));
    }

    [Theory]
    [InlineData(-1, RejectReason.TokenNegative)]
    [InlineData("-5", RejectReason.TokenNegative)]
    [InlineData(double.NaN, RejectReason.TokenNotFinite)]
    [InlineData(double.PositiveInfinity, RejectReason.TokenNotFinite)]
    [InlineData(1.5, RejectReason.TokenNotInteger)]
    [InlineData("many", RejectReason.TokenNotNumeric)]
    [InlineData(true, RejectReason.TokenNotNumeric)]
    public void Bad_token_values_reject_the_span_with_a_reason(object value, RejectReason expected)
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.Usage.InputTokens, value));
        Assert.Equal(NormalizeResult.Rejected, TestSpans.Normalize(span, out _, out var reason));
        Assert.Equal(expected, reason);
    }

    [Fact]
    public void Arrays_are_not_token_counts()
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.Usage.OutputTokens, new[] { 1, 2 }));
        Assert.Equal(NormalizeResult.Rejected, TestSpans.Normalize(span, out _, out var reason));
        Assert.Equal(RejectReason.TokenNotNumeric, reason);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData("free")]
    public void Bad_reported_cost_rejects_the_span(object value)
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (A.GenAi.Usage.CostAmount, value));
        Assert.Equal(NormalizeResult.Rejected, TestSpans.Normalize(span, out _, out var reason));
        Assert.Equal(RejectReason.CostInvalid, reason);
    }

    [Theory]
    [InlineData(A.GenAi.Usage.CostAmount)]
    [InlineData(A.GenAi.Usage.Cost)]
    [InlineData(A.Llm.CostTotal)]
    public void Reads_reported_cost_keys(string key)
    {
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), (key, 0.0123));
        TestSpans.Normalize(span, out var call, out _);
        Assert.True(call.HasReportedCost);
        Assert.Equal(0.0123m, call.ReportedCost);
    }

    [Fact]
    public void Not_a_genai_span_when_no_genai_attribute()
    {
        var span = TestSpans.Ended("GET /orders", ("http.request.method", "GET"), ("tenant.id", "acme"));
        Assert.Equal(NormalizeResult.NotGenAi, TestSpans.Normalize(span, out _, out _));
    }

    [Fact]
    public void Tenant_and_use_case_from_span_then_baggage_then_resource()
    {
        var resource = new Dictionary<string, object> { ["tenant.id"] = "from-resource" };
        var onSpan = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), ("tenant.id", "from-span"));
        TestSpans.Normalize(onSpan, out var call, out _, resource: resource);
        Assert.Equal("from-span", call.Tenant);

        var parent = new Activity("request");
        parent.AddBaggage("tenant.id", "from-baggage");
        parent.AddBaggage("ai.use_case", "search");
        parent.Start();
        var child = new Activity("chat").SetTag(A.GenAi.OperationName, "chat").Start();
        child.Stop();
        parent.Stop();
        TestSpans.Normalize(child, out call, out _, resource: resource);
        Assert.Equal("from-baggage", call.Tenant);
        Assert.Equal("search", call.UseCase);

        var bare = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"));
        TestSpans.Normalize(bare, out call, out _, resource: resource);
        Assert.Equal("from-resource", call.Tenant);
        Assert.Equal("unknown", call.UseCase);

        TestSpans.Normalize(bare, out call, out _);
        Assert.Equal("unknown", call.Tenant);
    }

    [Fact]
    public void Configurable_keys_are_read_in_order()
    {
        var normalizer = new SpanNormalizer(new SpanReadingOptions { TenantKeys = ["customer.id", "org.id"], UseCaseKeys = ["feature"], CacheHitKeys = ["semantic_cache.hit"] });
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), ("org.id", "org-2"), ("customer.id", "cust-1"), ("feature", "summarize"), ("semantic_cache.hit", "true"));
        TestSpans.Normalize(span, out var call, out _, normalizer);
        Assert.Equal("cust-1", call.Tenant);
        Assert.Equal("summarize", call.UseCase);
        Assert.True(call.CacheHit);
    }

    [Fact]
    public void Label_values_are_cut_to_the_cap()
    {
        var normalizer = new SpanNormalizer(new SpanReadingOptions { MaxLabelLength = 16 });
        var span = TestSpans.Ended("chat", (A.GenAi.OperationName, "chat"), ("tenant.id", new string('t', 500)), (A.GenAi.Request.Model, "   "));
        TestSpans.Normalize(span, out var call, out _, normalizer);
        Assert.Equal(new string('t', 16), call.Tenant);
        Assert.Equal("unknown", call.Model);
    }

    [Theory]
    // inclusive counts (the conventions): cached parts inside input, reasoning inside output
    [InlineData(1200, 1000, 0, 300, 50, 200, 1000, 0, 250, 50)]
    // exclusive counts (some Anthropic instrumentations): input smaller than the cache parts: taken as given
    [InlineData(100, 5000, 1000, 500, 0, 100, 5000, 1000, 500, 0)]
    // reasoning reported beside output rather than inside it
    [InlineData(10, 0, 0, 20, 30, 10, 0, 0, 20, 30)]
    public void Token_arithmetic_never_goes_negative(long input, long read, long write, long output, long reasoning, long eUncached, long eRead, long eWrite, long eOutput, long eReasoning)
    {
        Assert.Equal(new TokenParts(eUncached, eRead, eWrite, eOutput, eReasoning), TokenParts.From(input, read, write, output, reasoning));
    }
}
