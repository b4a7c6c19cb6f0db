using System.Buffers;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Trace.V1;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Otlp;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>
/// Binds <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c> with a marshaller of our own,
/// so a request is read once, by <see cref="OtlpProtobufReader"/>, instead of into the generated types
/// and then again. The wire contract (path, messages, status codes) is the generated service's.
/// </summary>
internal sealed class OtlpGrpcMethodProvider : IServiceMethodProvider<OtlpGrpcTraceService>
{
    private const string ServiceName = "opentelemetry.proto.collector.trace.v1.TraceService";

    private readonly TraceExportHandler handler;
    private readonly ExporterMetrics metrics;

    public OtlpGrpcMethodProvider(TraceExportHandler handler, ExporterMetrics metrics)
    {
        this.handler = handler;
        this.metrics = metrics;
    }

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpGrpcTraceService> context)
    {
        var requests = Marshallers.Create<SpanBatch>(
            static (_, _) => throw new NotSupportedException("the service does not send export requests"),
            this.Deserialize);
        var responses = Marshallers.Create<ExportTraceServiceResponse>(
            static (response, serialization) =>
            {
                var bytes = response.ToByteArray();
                serialization.Complete(bytes);
            },
            static deserialization => ExportTraceServiceResponse.Parser.ParseFrom(deserialization.PayloadAsReadOnlySequence()));
        var method = new Method<SpanBatch, ExportTraceServiceResponse>(MethodType.Unary, ServiceName, "Export", requests, responses);
        context.AddUnaryMethod(method, [], static (service, request, call) => service.Export(request, call));
    }

    private SpanBatch Deserialize(DeserializationContext deserialization)
    {
        var payload = deserialization.PayloadAsReadOnlySequence();
        try
        {
            if (payload.IsSingleSegment)
            {
                return OtlpProtobufReader.Read(payload.FirstSpan, this.handler.Reader);
            }

            var length = checked((int)payload.Length);
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                payload.CopyTo(buffer);
                return OtlpProtobufReader.Read(buffer.AsSpan(0, length), this.handler.Reader);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (e is OtlpFormatException or InvalidProtocolBufferException)
        {
            this.metrics.Rejected(ExporterMetrics.ProtocolGrpc, ExporterMetrics.ReasonMalformed);
            throw new RpcException(new Status(StatusCode.InvalidArgument, "malformed OTLP protobuf: " + e.Message));
        }
    }
}
