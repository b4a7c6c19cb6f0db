using System.Diagnostics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using UnitEconomics.Exporter.Tests.Receivers;

namespace UnitEconomics.Exporter.Tests.Ingest;

/// <summary>
/// DESIGN §3 through the service's door: retrieval spans sent by the official OTLP exporter are priced
/// by their data source's entry, else by the default <c>vector-search</c> entry (test catalog:
/// docs-index $0.004, vector-search $0.001 per query), never counted as unpriced.
/// </summary>
public sealed class EngineRetrievalTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Retrieval_spans_with_and_without_a_data_source_are_priced(OtlpExportProtocol protocol)
    {
        await using var exporter = await EngineExporter.StartAsync();
        var sourceName = "test.engine.retrieval." + protocol;
        using (var source = new ActivitySource(sourceName))
        using (var tracing = OfficialExporterTests.BuildProviderForTests(exporter, protocol, sourceName, headers: null))
        {
            Retrieve(source, "docs-index");     // its own entry: 0.004
            Retrieve(source, "docs-index");     // 0.004
            Retrieve(source, "unlisted-index"); // not in the catalog: the default, 0.001
            Retrieve(source, null);             // no data source, no model: the default, 0.001
            Assert.True(tracing.ForceFlush(10_000));
        }

        await exporter.Ingest.DrainAsync(includeRootless: true);
        var scrape = await exporter.ScrapeAsync();
        Assert.Equal(0.008m, scrape.Money("ai_cost_usd_total", ("operation", "retrieval"), ("model", "docs-index")));      // 2 × 0.004
        Assert.Equal(0.002m, scrape.Money("ai_cost_usd_total", ("operation", "retrieval"), ("model", "vector-search")));   // 2 × 0.001
        Assert.Equal(0.01m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme")));                                 // 0.008 + 0.002
        Assert.Equal(4, scrape.Sum("ai_requests_total", ("operation", "retrieval")));
        Assert.Equal(0, scrape.Sum("ai_unpriced_requests_total"));
    }

    private static void Retrieve(ActivitySource source, string? dataSource)
    {
        using var span = source.StartActivity("retrieval");
        Assert.NotNull(span);
        span.SetTag("gen_ai.operation.name", "retrieval");
        span.SetTag("tenant.id", "acme");
        if (dataSource is not null)
        {
            span.SetTag("gen_ai.data_source.id", dataSource);
        }
    }
}
