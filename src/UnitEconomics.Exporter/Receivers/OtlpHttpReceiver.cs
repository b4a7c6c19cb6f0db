using System.Globalization;
using System.Net.Http.Headers;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Otlp;
using RpcStatus = UnitEconomics.Exporter.Otlp.Rpc.Status;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>
/// OTLP/HTTP: <c>POST /v1/traces</c> with a binary protobuf or OTLP/JSON body, optionally gzip-encoded.
/// Answers in the request's encoding; failures carry a <c>google.rpc.Status</c> body as the spec asks.
/// </summary>
public sealed class OtlpHttpReceiver
{
    public const string Path = "/v1/traces";
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private readonly TraceExportHandler handler;
    private readonly ExporterMetrics metrics;
    private readonly ExporterOptions options;
    private readonly Security.BearerToken token;
    private readonly ILogger<OtlpHttpReceiver> logger;

    public OtlpHttpReceiver(TraceExportHandler handler, ExporterMetrics metrics, IOptions<ExporterOptions> options, ILogger<OtlpHttpReceiver> logger)
    {
        this.handler = handler;
        this.metrics = metrics;
        this.options = options.Value;
        this.token = new Security.BearerToken(this.options.OtlpBearerToken);
        this.logger = logger;
    }

    /// <summary>
    /// A request body's encoding, which is also how its answer is written: in the request's encoding, or as
    /// plain text when that is not OTLP (a sender of text/plain cannot read a protobuf Status).
    /// </summary>
    private enum AnswerFormat
    {
        Text,
        Protobuf,
        Json,
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var format = ReadEncoding(request.ContentType);
        var protocol = format switch
        {
            AnswerFormat.Protobuf => ExporterMetrics.ProtocolHttpProtobuf,
            AnswerFormat.Json => ExporterMetrics.ProtocolHttpJson,
            _ => ExporterMetrics.ProtocolHttpUnknown,
        };
        var json = format == AnswerFormat.Json;

        if (!this.token.Allows(request.Headers.Authorization))
        {
            this.metrics.Rejected(protocol, ExporterMetrics.ReasonUnauthorized);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteStatusAsync(context, format, StatusCodes.Status401Unauthorized, GrpcCode.Unauthenticated, "missing or wrong bearer token");
            return;
        }

        if (format == AnswerFormat.Text)
        {
            this.metrics.Rejected(protocol, ExporterMetrics.ReasonUnsupportedMediaType);
            await WriteStatusAsync(context, format, StatusCodes.Status415UnsupportedMediaType, GrpcCode.InvalidArgument,
                $"unsupported content type '{request.ContentType}': use {ProtobufContentType} or {JsonContentType}");
            return;
        }

        var contentEncoding = request.Headers.ContentEncoding.ToString();
        var gzip = string.Equals(contentEncoding, "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && contentEncoding.Length > 0 && !string.Equals(contentEncoding, "identity", StringComparison.OrdinalIgnoreCase))
        {
            this.metrics.Rejected(protocol, ExporterMetrics.ReasonUnsupportedMediaType);
            await WriteStatusAsync(context, format, StatusCodes.Status415UnsupportedMediaType, GrpcCode.InvalidArgument,
                $"unsupported content encoding '{contentEncoding}': use gzip or none");
            return;
        }

        // The limits below are ours; Kestrel's own (30 MB default) would fail differently and later.
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = null;
        }

        // Back-pressure before the body is read: a saturated ingest refuses on the announced size.
        if (!this.handler.HasRoomFor(request.ContentLength ?? 0))
        {
            await this.AnswerAsync(context, format, this.handler.RefuseSaturated(protocol));
            return;
        }

        BodyReadStatus status;
        BoundedBody? body;
        try
        {
            (status, body) = await BoundedBody.ReadAsync(
                request.Body, request.ContentLength, gzip, this.options.MaxRequestBodyBytes, this.options.MaxDecompressedBodyBytes, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the sender went away: nobody to answer
        }
        catch (IOException e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Kestrel's framing errors (a malformed or overflowing chunk size, a body cut short) surface
            // here as BadHttpRequestException or a plain IOException: the sender's fault, answered and counted.
            var tooLarge = e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
            this.metrics.Rejected(protocol, tooLarge ? ExporterMetrics.ReasonTooLarge : ExporterMetrics.ReasonMalformed);
            await WriteStatusAsync(context, format, tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                tooLarge ? GrpcCode.ResourceExhausted : GrpcCode.InvalidArgument, "the request body could not be read: " + e.Message);
            return;
        }
        catch (IOException)
        {
            return;
        }

        switch (status)
        {
            case BodyReadStatus.TooLarge:
                this.metrics.Rejected(protocol, ExporterMetrics.ReasonTooLarge);
                await WriteStatusAsync(context, format, StatusCodes.Status413PayloadTooLarge, GrpcCode.ResourceExhausted,
                    $"request body exceeds {this.options.MaxRequestBodyBytes} bytes");
                return;
            case BodyReadStatus.DecompressedTooLarge:
                this.metrics.Rejected(protocol, ExporterMetrics.ReasonTooLarge);
                await WriteStatusAsync(context, format, StatusCodes.Status413PayloadTooLarge, GrpcCode.ResourceExhausted,
                    $"decompressed request body exceeds {this.options.MaxDecompressedBodyBytes} bytes");
                return;
            case BodyReadStatus.BadGzip:
                this.metrics.Rejected(protocol, ExporterMetrics.ReasonMalformed);
                await WriteStatusAsync(context, format, StatusCodes.Status400BadRequest, GrpcCode.InvalidArgument, "request body is not valid gzip");
                return;
        }

        ExportOutcome outcome;
        using (body)
        {
            try
            {
                // Decoded straight into the service's span form: no generated message objects in between.
                var batch = json
                    ? OtlpJsonReader.Read(body!.Memory, this.handler.Reader)
                    : OtlpProtobufReader.Read(body!.Memory.Span, this.handler.Reader);
                outcome = this.handler.Export(batch, protocol);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or OtlpFormatException)
            {
                this.metrics.Rejected(protocol, ExporterMetrics.ReasonMalformed);
                await WriteStatusAsync(context, format, StatusCodes.Status400BadRequest, GrpcCode.InvalidArgument,
                    (json ? "malformed OTLP/JSON: " : "malformed OTLP protobuf: ") + e.Message);
                return;
            }
        }

        await this.AnswerAsync(context, format, outcome);
    }

    private async Task AnswerAsync(HttpContext context, AnswerFormat format, ExportOutcome outcome)
    {
        switch (outcome.Kind)
        {
            case ExportOutcomeKind.Saturated:
                context.Response.Headers.RetryAfter = RetryAfterSeconds(outcome.RetryAfter).ToString(CultureInfo.InvariantCulture);
                await WriteStatusAsync(context, format, StatusCodes.Status503ServiceUnavailable, GrpcCode.Unavailable, "the exporter is saturated; retry later");
                return;
            case ExportOutcomeKind.InternalError:
                await WriteStatusAsync(context, format, StatusCodes.Status500InternalServerError, GrpcCode.Internal, "the exporter failed to process the request");
                return;
            default:
                if (outcome.Kind == ExportOutcomeKind.PartialSuccess)
                {
                    this.logger.LogDebug("Partial success: {Rejected} spans rejected ({Message}).", outcome.Response.PartialSuccess.RejectedSpans, outcome.Response.PartialSuccess.ErrorMessage);
                }

                await WriteMessageAsync(context, format, StatusCodes.Status200OK, outcome.Response);
                return;
        }
    }

    /// <summary>Whole seconds, rounded up, at least one: Retry-After has no finer unit.</summary>
    internal static long RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));

    private static AnswerFormat ReadEncoding(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return AnswerFormat.Text;
        }

        var mediaType = parsed.MediaType;
        if (string.Equals(mediaType, ProtobufContentType, StringComparison.OrdinalIgnoreCase)
            || string.Equals(mediaType, "application/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return AnswerFormat.Protobuf;
        }

        return string.Equals(mediaType, JsonContentType, StringComparison.OrdinalIgnoreCase) ? AnswerFormat.Json : AnswerFormat.Text;
    }

    private static Task WriteStatusAsync(HttpContext context, AnswerFormat format, int httpStatus, GrpcCode code, string message)
    {
        if (format == AnswerFormat.Text)
        {
            context.Response.StatusCode = httpStatus;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(message + "\n", context.RequestAborted);
        }

        return WriteMessageAsync(context, format, httpStatus, new RpcStatus { Code = (int)code, Message = message });
    }

    private static async Task WriteMessageAsync(HttpContext context, AnswerFormat format, int httpStatus, IMessage message)
    {
        var response = context.Response;
        response.StatusCode = httpStatus;
        if (format == AnswerFormat.Json)
        {
            response.ContentType = JsonContentType;
            await response.WriteAsync(JsonFormatter.Default.Format(message), context.RequestAborted);
        }
        else
        {
            response.ContentType = ProtobufContentType;
            var bytes = message.ToByteArray();
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    /// <summary>The gRPC code put in <c>Status.code</c> of HTTP error bodies (informational per the spec).</summary>
    private enum GrpcCode
    {
        InvalidArgument = 3,
        ResourceExhausted = 8,
        Internal = 13,
        Unavailable = 14,
        Unauthenticated = 16,
    }
}
