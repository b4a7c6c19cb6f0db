using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Trace;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Exporter.Otlp.Rpc;
using UnitEconomics.Exporter.Receivers;
using UnitEconomics.Exporter.Tests.Otlp;
using Status = UnitEconomics.Exporter.Otlp.Rpc.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace UnitEconomics.Exporter.Tests.Receivers;

/// <summary>Throttling, partial success, bearer tokens, health and gRPC transport options.</summary>
public sealed class ResponsesTests
{
    [Fact]
    public async Task Saturated_ingest_is_503_with_Retry_After_over_http_and_UNAVAILABLE_with_RetryInfo_over_grpc()
    {
        var ingest = new CountingTraceIngest { Result = IngestStatus.Saturated };
        await using var exporter = await RunningExporter.StartAsync(ingest, "DefaultRetryAfter=00:00:07");
        using var http = new HttpClient();

        using var response = await http.PostAsync(exporter.TracesUri, OtlpJsonTests.Protobuf(Requests.OneValidSpan()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var status = Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(14, status.Code);

        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcExport.CallAsync(exporter.GrpcUri, Requests.OneValidSpan()));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        var details = Status.Parser.ParseFrom(error.Trailers.GetValueBytes(OtlpGrpcTraceService.StatusDetailsTrailer));
        var retryInfo = Assert.Single(details.Details).Unpack<RetryInfo>();
        Assert.Equal(TimeSpan.FromSeconds(7), retryInfo.RetryDelay.ToTimeSpan());
        Assert.Equal("7000", error.Trailers.GetValue(OtlpGrpcTraceService.RetryPushbackTrailer));

        // OTLP/JSON is answered in JSON, with the same delay.
        using var json = await http.PostAsync(exporter.TracesUri, new StringContent("""{"resourceSpans":[]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, json.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), json.Headers.RetryAfter?.Delta);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);

        Assert.Equal(3, exporter.RequestsRejected(ExporterMetrics.ReasonSaturated));
        Assert.Equal(1, exporter.Requests(ExporterMetrics.ProtocolGrpc, ExporterMetrics.OutcomeRejected));
    }

    [Fact]
    public async Task Spans_with_malformed_ids_are_reported_as_partial_success()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);

        ExportTraceServiceRequest Mixed() => Requests.Of(
            Requests.Span("good", Requests.TraceId(1), Requests.SpanId(1)),
            Requests.Span("short trace id", Requests.TraceId(2)[..15], Requests.SpanId(2)),
            Requests.Span("zero span id", Requests.TraceId(3), new byte[8]),
            Requests.Span("long parent", Requests.TraceId(4), Requests.SpanId(4), parent: new byte[9]),
            Requests.Span("child", Requests.TraceId(1), Requests.SpanId(5), parent: Requests.SpanId(1)));

        // gRPC
        var grpc = await GrpcExport.CallAsync(exporter.GrpcUri, Mixed());
        AssertPartial(grpc.PartialSuccess);

        // HTTP protobuf
        using var http = new HttpClient();
        using var proto = await http.PostAsync(exporter.TracesUri, OtlpJsonTests.Protobuf(Mixed()));
        Assert.Equal(HttpStatusCode.OK, proto.StatusCode);
        AssertPartial(ExportTraceServiceResponse.Parser.ParseFrom(await proto.Content.ReadAsByteArrayAsync()).PartialSuccess);

        // HTTP JSON: one id not hex, one of the wrong length.
        const string json = """
        {"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"good"},
          {"traceId":"0102030405060708090a0b0c0d0e0f1g","spanId":"0102030405060708","name":"not hex"},
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"01020304050607","name":"short span id"},
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060709","parentSpanId":"0102030405060708","name":"child"}
        ]}]}]}
        """;
        using var jsonResponse = await http.PostAsync(exporter.TracesUri, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, jsonResponse.StatusCode);
        AssertPartial(JsonParser.Default.Parse<ExportTraceServiceResponse>(await jsonResponse.Content.ReadAsStringAsync()).PartialSuccess);

        // The ingest saw only the valid spans: good + child, three times.
        Assert.Equal(["good", "child", "good", "child", "good", "child"], ingest.Spans().Select(s => s.Name));
        // 3 bad ids over gRPC + 3 over HTTP protobuf + 2 over JSON.
        Assert.Equal(8, exporter.Metrics.SpansRejected.WithLabels(ExporterMetrics.SpanReasonInvalidId).Value);
        Assert.Equal(1, exporter.Requests(ExporterMetrics.ProtocolGrpc, ExporterMetrics.OutcomePartial));
        Assert.Equal(1, exporter.Requests(ExporterMetrics.ProtocolHttpProtobuf, ExporterMetrics.OutcomePartial));
        Assert.Equal(1, exporter.Requests(ExporterMetrics.ProtocolHttpJson, ExporterMetrics.OutcomePartial));
        Assert.Equal(5, exporter.Metrics.SpansReceived.WithLabels(ExporterMetrics.ProtocolGrpc).Value);
        Assert.Equal(4, exporter.Metrics.SpansReceived.WithLabels(ExporterMetrics.ProtocolHttpJson).Value);

        static void AssertPartial(ExportTracePartialSuccess partial)
        {
            Assert.NotNull(partial);

            // Invalid ids: 3 (protobuf) or 2 (JSON).
            Assert.Contains(partial.RejectedSpans, new long[] { 3, 2 });
            Assert.Equal($"{partial.RejectedSpans} span(s) rejected: trace_id must be 16 bytes, span_id 8 bytes (not all zero), parent_span_id empty or 8 bytes", partial.ErrorMessage);
        }
    }

    [Fact]
    public async Task A_fully_accepted_request_leaves_partial_success_unset()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        var response = await GrpcExport.CallAsync(exporter.GrpcUri, Requests.OneValidSpan());
        Assert.Null(response.PartialSuccess);
        var empty = await GrpcExport.CallAsync(exporter.GrpcUri, new ExportTraceServiceRequest());
        Assert.Null(empty.PartialSuccess);
        Assert.Equal(2, ingest.Requests.Count);
    }

    [Fact]
    public async Task Bearer_token_is_enforced_on_both_receivers_and_on_metrics()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest, "OtlpBearerToken=s3cret-token", "MetricsBearerToken=scrape-token");
        using var http = new HttpClient();

        async Task<HttpStatusCode> Post(string? authorization)
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, exporter.TracesUri) { Content = OtlpJsonTests.Protobuf(Requests.OneValidSpan()) };
            if (authorization is not null)
            {
                message.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(message);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await Post(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("Bearer s3cret-tokeN"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Post("Basic s3cret-token"));
        Assert.Equal(HttpStatusCode.OK, await Post("Bearer s3cret-token"));

        var denied = await Assert.ThrowsAsync<RpcException>(() => GrpcExport.CallAsync(exporter.GrpcUri, Requests.OneValidSpan(), new Metadata { { "authorization", "Bearer wrong" } }));
        Assert.Equal(StatusCode.Unauthenticated, denied.StatusCode);
        await GrpcExport.CallAsync(exporter.GrpcUri, Requests.OneValidSpan(), new Metadata { { "authorization", "Bearer s3cret-token" } });

        // The official exporter with its configured header gets through on both protocols.
        foreach (var protocol in new[] { OtlpExportProtocol.Grpc, OtlpExportProtocol.HttpProtobuf })
        {
            var sourceName = "bearer." + protocol;
            using var source = new System.Diagnostics.ActivitySource(sourceName);
            using (var provider = OfficialExporterTests.BuildProviderForTests(exporter, protocol, sourceName, "Authorization=Bearer s3cret-token"))
            {
                source.StartActivity("with token")!.Dispose();
                Assert.True(provider.ForceFlush(10_000));
            }
        }

        Assert.Equal(4, ingest.Requests.Count);
        Assert.Equal(2, ingest.Spans().Count(s => s.Name == "with token"));
        Assert.Equal(4, exporter.RequestsRejected(ExporterMetrics.ReasonUnauthorized));

        using var noScrapeToken = await http.GetAsync(new Uri(exporter.MetricsUri, "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, noScrapeToken.StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, new Uri(exporter.MetricsUri, "/metrics"));
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "scrape-token");
        using var scraped = await http.SendAsync(scrape);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("ai_exporter_requests_rejected_total{reason=\"unauthorized\"} 4", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_live_and_ready_follows_the_ingest()
    {
        var ingest = new CountingTraceIngest { IsReady = false };
        await using var exporter = await RunningExporter.StartAsync(ingest);
        using var http = new HttpClient();

        using var live = await http.GetAsync(new Uri(exporter.MetricsUri, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var notReady = await http.GetAsync(new Uri(exporter.MetricsUri, "/readyz"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        ingest.IsReady = true;
        using var ready = await http.GetAsync(new Uri(exporter.MetricsUri, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Grpc_accepts_gzip_requests_and_refuses_messages_over_the_limit()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest, "MaxGrpcReceiveMessageBytes=4096");

        // Grpc.Net.Client compresses the request when asked through this header.
        var gzip = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        await GrpcExport.CallAsync(exporter.GrpcUri, Requests.OneValidSpan("compressed"), gzip);
        Assert.Equal("compressed", Assert.Single(ingest.Spans()).Name);

        // zlib ("deflate"), which the gRPC server also takes, is kept beside the service's own gzip.
        await GrpcExport.CallAsync(exporter.GrpcUri, Requests.OneValidSpan("deflated"), new Metadata { { "grpc-internal-encoding-request", "deflate" } });
        Assert.Contains(ingest.Spans(), s => s.Name == "deflated");

        var large = Requests.OneValidSpan(new string('x', 8192));
        var error = await Assert.ThrowsAsync<RpcException>(() => GrpcExport.CallAsync(exporter.GrpcUri, large));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);

        // The same message gzipped is far under the limit on the wire; inflating stops at the limit.
        var bomb = await Assert.ThrowsAsync<RpcException>(() => GrpcExport.CallAsync(exporter.GrpcUri, large, gzip));
        Assert.Equal(StatusCode.ResourceExhausted, bomb.StatusCode);
        Assert.Equal(2, ingest.Requests.Count);
        Assert.Equal(2, exporter.RequestsRejected(ExporterMetrics.ReasonTooLarge));
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

        public Otel.Spans.SpanNormalizer? Reader => null;

        public IngestStatus Offer(SpanBatch batch) =>
            Interlocked.Increment(ref this.calls) == 1 ? throw new InvalidOperationException("engine bug") : IngestStatus.Accepted;
    }
}
