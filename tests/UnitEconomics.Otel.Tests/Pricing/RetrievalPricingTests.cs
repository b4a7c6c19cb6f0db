using System.Diagnostics;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.TestSupport;
using Xunit;
using UnitEconomics.Otel.Tests.Processing;

namespace UnitEconomics.Otel.Tests.Pricing;

/// <summary>
/// DESIGN §3: a <c>retrieval</c> span is priced per call by the entry its <c>gen_ai.data_source.id</c>
/// names, else by its model, else by the default <c>vector-search</c> entry. In-process door here; the
/// service's door is tested in the exporter's tests with the same spans.
/// </summary>
[Collection("activity-listeners")]
public sealed class RetrievalPricingTests
{
    private static readonly ModelPrice VectorSearch = new() { Id = "vector-search", Standard = new PriceSet { PerCall = 0.001m } };
    private static readonly ModelPrice DocsIndex = new() { Id = "docs-index", Standard = new PriceSet { PerCall = 0.004m } };
    private static readonly ModelPrice Pinecone = new() { Id = "pinecone-query", Standard = new PriceSet { PerCall = 0.0025m } };

    [Fact]
    public void Retrieval_spans_are_priced_by_data_source_then_model_then_the_default()
    {
        var sink = new RecordingSink();
        using (var tracing = ProcessorTests.BuildTracing(sink, out _, null, ProcessorTests.Gpt4o, VectorSearch, DocsIndex, Pinecone))
        {
            using var source = new ActivitySource(AgentScenario.SourceName);
            Retrieve(source, ("gen_ai.data_source.id", "docs-index"));                                           // its own entry: 0.004
            Retrieve(source, ("gen_ai.data_source.id", "docs-index"), ("gen_ai.request.model", "pinecone-query")); // the data source wins: 0.004
            Retrieve(source, ("gen_ai.data_source.id", "unlisted-index"), ("gen_ai.request.model", "pinecone-query")); // its model: 0.0025
            Retrieve(source, ("gen_ai.data_source.id", "unlisted-index"));                                        // the default: 0.001
            Retrieve(source);                                                                                     // the default: 0.001
            tracing.ForceFlush();
        }

        Assert.Empty(sink.Unpriced);
        Assert.Equal(
            [("docs-index", 0.004m), ("docs-index", 0.004m), ("pinecone-query", 0.0025m), ("vector-search", 0.001m), ("vector-search", 0.001m)],
            sink.Calls.Select(c => (c.Call.Model, c.Cost.Total)));
        Assert.Equal(0.0125m, sink.Calls.Sum(c => c.Cost.Total)); // 0.004 + 0.004 + 0.0025 + 0.001 + 0.001
        Assert.All(sink.Calls, c => Assert.Equal("retrieval", c.Call.Operation));
    }

    [Fact]
    public void A_retrieval_span_whose_model_has_no_price_is_unpriced_not_defaulted()
    {
        var sink = new RecordingSink();
        using (var tracing = ProcessorTests.BuildTracing(sink, out _, null, ProcessorTests.Gpt4o, VectorSearch))
        {
            using var source = new ActivitySource(AgentScenario.SourceName);
            Retrieve(source, ("gen_ai.request.model", "no-such-store"));
            tracing.ForceFlush();
        }

        Assert.Empty(sink.Calls);
        Assert.Equal("no-such-store", Assert.Single(sink.Unpriced).Model);
    }

    private static void Retrieve(ActivitySource source, params (string Key, object Value)[] tags)
    {
        using var span = source.StartActivity("retrieval");
        Assert.NotNull(span);
        span.SetTag("gen_ai.operation.name", "retrieval");
        foreach (var (key, value) in tags)
        {
            span.SetTag(key, value);
        }
    }
}
