using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Exporter.Otlp.Rpc;
using RpcStatus = UnitEconomics.Exporter.Otlp.Rpc.Status;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>
/// OTLP/gRPC: <c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>. Size limits and gzip
/// request decompression are the gRPC server's (configured in the host); this checks the token and
/// maps the export outcome to the codes the OTLP spec gives. Bound by <see cref="OtlpGrpcMethodProvider"/>
/// (its own request marshaller), not by the generated base class.
/// </summary>
public sealed class OtlpGrpcTraceService
{
    /// <summary>Where gRPC carries the rich status (google.rpc.Status with details).</summary>
    public const string StatusDetailsTrailer = "grpc-status-details-bin";

    /// <summary>The pushback a gRPC client retry policy honours, in milliseconds.</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    public const string SaturatedMessage = "the exporter is saturated; retry later";

    private readonly TraceExportHandler handler;
    private readonly ExporterMetrics metrics;
    private readonly Security.BearerToken token;

    public OtlpGrpcTraceService(TraceExportHandler handler, ExporterMetrics metrics, IOptions<ExporterOptions> options)
    {
        this.handler = handler;
        this.metrics = metrics;
        this.token = new Security.BearerToken(options.Value.OtlpBearerToken);
    }

    /// <summary>
    /// The trailers of a saturated answer (UNAVAILABLE, the spec's back-pressure signal): the rich status
    /// with RetryInfo saying how long to wait, and the pushback a gRPC client retry policy honours.
    /// </summary>
    internal static Metadata SaturatedTrailers(TimeSpan retryAfter)
    {
        var details = new RpcStatus { Code = (int)StatusCode.Unavailable, Message = SaturatedMessage };
        details.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        return new Metadata
        {
            { StatusDetailsTrailer, details.ToByteArray() },
            { RetryPushbackTrailer, ((long)retryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) },
        };
    }

    public Task<ExportTraceServiceResponse> Export(SpanBatch batch, ServerCallContext context)
    {
        if (!this.token.IsOpen && !this.token.Allows(context.RequestHeaders.GetValue("authorization")))
        {
            this.metrics.Rejected(ExporterMetrics.ProtocolGrpc, ExporterMetrics.ReasonUnauthorized);
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unauthenticated, "missing or wrong bearer token"));
        }

        var outcome = this.handler.Export(batch, ExporterMetrics.ProtocolGrpc);
        switch (outcome.Kind)
        {
            case ExportOutcomeKind.Saturated:
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, SaturatedMessage), SaturatedTrailers(outcome.RetryAfter));
            case ExportOutcomeKind.InternalError:
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "the exporter failed to process the request"));
            default:
                return Task.FromResult(outcome.Response);
        }
    }
}

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
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "malformed OTLP protobuf: " + e.Message));
        }
    }
}
