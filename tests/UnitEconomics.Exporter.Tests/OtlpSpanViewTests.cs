using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Tests;

public sealed class OtlpSpanViewTests
{
    [Fact]
    public void Reads_ids_times_status_and_values()
    {
        var span = Requests.Span("embeddings", Requests.TraceId(0xAB), Requests.SpanId(0xCD), parent: Requests.SpanId(0xEF));
        span.Status = new Status { Code = Status.Types.StatusCode.Ok };
        span.Attributes.Add(new KeyValue { Key = "n", Value = new AnyValue { IntValue = -3 } });
        span.Attributes.Add(new KeyValue { Key = "empty", Value = new AnyValue() });
        span.Attributes.Add(new KeyValue { Key = "missing" });
        var resource = new Resource();
        resource.Attributes.Add(new KeyValue { Key = "tenant.id", Value = new AnyValue { StringValue = "initech" } });

        var view = new OtlpSpanView(span, resource);
        Assert.Equal("embeddings", view.Name);
        Assert.Equal("ab102030405060708090a0b0c0d0e0f0", view.TraceId.ToHexString());
        Assert.Equal("cd11223344556677", view.SpanId.ToHexString());
        Assert.Equal("ef11223344556677", view.ParentSpanId.ToHexString());
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), view.StartTimeUtc);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 21, 500, DateTimeKind.Utc), view.EndTimeUtc);
        Assert.False(view.IsError);

        var attributes = AttributeCollector.Read(view);
        Assert.Equal("-3", attributes["n"].AsString());
        Assert.Equal(AttributeKind.None, attributes["empty"].Kind);
        Assert.Equal(AttributeKind.None, attributes["missing"].Kind);
        Assert.True(view.TryGetResourceAttribute("tenant.id", out var tenant));
        Assert.Equal("initech", tenant.Text);
    }

    [Fact]
    public void Wrong_length_ids_read_as_default_without_throwing()
    {
        var span = Requests.Span("bad", new byte[3], new byte[9], parent: new byte[1]);
        var view = new OtlpSpanView(span, resource: null);
        Assert.Equal(default, view.TraceId);
        Assert.Equal(default, view.SpanId);
        Assert.Equal(default, view.ParentSpanId);
        Assert.False(view.TryGetResourceAttribute("tenant.id", out _));
        Assert.False(OtlpIds.IsValid(span));

        var root = Requests.Span("root", Requests.TraceId(1), Requests.SpanId(1));
        Assert.True(OtlpIds.IsValid(root));
        Assert.Equal(default(ActivitySpanId), new OtlpSpanView(root, null).ParentSpanId);
    }

    [Fact]
    public async Task An_ingest_that_throws_gives_500_and_the_service_keeps_serving()
    {
        var ingest = new ThrowingOnceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        using var http = new HttpClient();

        using var failed = await http.PostAsync(exporter.TracesUri, OtlpJsonTests.Protobuf(Requests.OneValidSpan()));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        using var ok = await http.PostAsync(exporter.TracesUri, OtlpJsonTests.Protobuf(Requests.OneValidSpan()));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1, exporter.RequestsRejected(ExporterMetrics.ReasonInternal));
    }

    private sealed class ThrowingOnceIngest : ITraceIngest
    {
        private int calls;

        public IngestResult Offer(ExportTraceServiceRequest request) =>
            Interlocked.Increment(ref this.calls) == 1 ? throw new InvalidOperationException("engine bug") : IngestResult.Accepted();
    }
}
