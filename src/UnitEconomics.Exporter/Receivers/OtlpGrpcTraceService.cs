using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
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

    /// <summary>The rich status of a saturated answer: UNAVAILABLE with RetryInfo saying how long to wait.</summary>
    internal static RpcStatus SaturatedStatus(TimeSpan retryAfter)
    {
        var details = new RpcStatus { Code = (int)StatusCode.Unavailable, Message = SaturatedMessage };
        details.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        return details;
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
                // The spec's backpressure signal: UNAVAILABLE with RetryInfo saying how long to wait.
                const string message = SaturatedMessage;
                var details = SaturatedStatus(outcome.RetryAfter);
                var trailers = new Metadata
                {
                    { StatusDetailsTrailer, details.ToByteArray() },
                    { RetryPushbackTrailer, ((long)outcome.RetryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                };
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, message), trailers);
            case ExportOutcomeKind.InternalError:
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "the exporter failed to process the request"));
            default:
                return Task.FromResult(outcome.Response);
        }
    }
}
