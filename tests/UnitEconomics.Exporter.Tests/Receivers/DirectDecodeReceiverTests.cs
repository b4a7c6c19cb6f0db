using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Trace.V1;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Otlp;

namespace UnitEconomics.Exporter.Tests.Receivers;

/// <summary>Both protobuf receivers in front of an ingest that takes <see cref="SpanBatch"/>es (decoded once, by our reader).</summary>
public sealed class DirectDecodeReceiverTests
{
    private static readonly Method<byte[], ExportTraceServiceResponse> RawExport = new(
        MethodType.Unary,
        "opentelemetry.proto.collector.trace.v1.TraceService",
        "Export",
        Marshallers.Create<byte[]>(b => b, b => b),
        Marshallers.Create(r => r.ToByteArray(), ExportTraceServiceResponse.Parser.ParseFrom));

    [Fact]
    public async Task Grpc_and_http_protobuf_hand_over_batches_without_the_malformed_ids()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        var request = Requests.Of(
            Requests.Span("chat gpt-4o", Requests.TraceId(1), Requests.SpanId(1)),
            Requests.Span("bad", [1, 2], Requests.SpanId(2)));

        var grpcResponse = await GrpcExport.CallAsync(exporter.GrpcUri, request.Clone());
        using var http = new HttpClient();
        using var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var httpResponse = await http.PostAsync(exporter.TracesUri, content);

        Assert.Equal(1, grpcResponse.PartialSuccess.RejectedSpans);
        Assert.Equal(System.Net.HttpStatusCode.OK, httpResponse.StatusCode);
        Assert.Equal(1, ExportTraceServiceResponse.Parser.ParseFrom(await httpResponse.Content.ReadAsByteArrayAsync()).PartialSuccess.RejectedSpans);
        Assert.Equal(2, ingest.Requests.Count);
        Assert.All(ingest.Requests, spans => Assert.Equal("chat gpt-4o", Assert.Single(spans).Name));
        Assert.Equal(2, exporter.Metrics.SpansReceived.WithLabels(ExporterMetrics.ProtocolGrpc).Value);
        Assert.Equal(2, exporter.Metrics.SpansReceived.WithLabels(ExporterMetrics.ProtocolHttpProtobuf).Value);
        Assert.Equal(2, exporter.Metrics.SpansRejected.WithLabels(ExporterMetrics.SpanReasonInvalidId).Value);
    }

    [Fact]
    public async Task A_malformed_grpc_message_is_invalid_argument_and_reaches_no_ingest()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(exporter.GrpcUri);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.CreateCallInvoker().AsyncUnaryCall(RawExport, null, default, [0x0A, 0x05, 0x0A]).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Empty(ingest.Requests);
    }
}
