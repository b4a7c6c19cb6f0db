using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using UnitEconomics.Exporter.Diagnostics;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>
/// Looks at a gRPC export request's 5-byte message prefix (compressed flag, 4-byte big-endian length)
/// before the gRPC server reads the message, without consuming it. A length past the limit, whatever
/// its size (the server's own reader fails with UNKNOWN at 2^31 and above), is RESOURCE_EXHAUSTED; a
/// message the ingest has no room for is UNAVAILABLE with the retry delay, decided before the bytes
/// are read and decoded. Both answers are trailers-only responses, counted.
/// </summary>
public sealed class GrpcRequestGate
{
    private const int PrefixLength = 5;

    private readonly TraceExportHandler handler;
    private readonly ExporterMetrics metrics;
    private readonly long maxMessageBytes;

    public GrpcRequestGate(TraceExportHandler handler, ExporterMetrics metrics, long maxMessageBytes)
    {
        this.handler = handler;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
    }

    /// <summary>True when the request may go on to the gRPC server; false when it was answered here.</summary>
    public async Task<bool> AdmitAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        ReadResult result;
        try
        {
            result = await reader.ReadAtLeastAsync(PrefixLength, context.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return true; // the gRPC server meets the same failure and answers it as it does
        }

        var buffer = result.Buffer;
        var length = ReadLength(buffer);

        // Nothing consumed, nothing examined: the gRPC server reads the same bytes.
        reader.AdvanceTo(buffer.Start);
        if (length is not { } size)
        {
            return true; // shorter than a prefix: the server's reader reports it
        }

        if (size > this.maxMessageBytes)
        {
            this.metrics.Rejected(ExporterMetrics.ProtocolGrpc, ExporterMetrics.ReasonTooLarge);
            WriteTrailersOnly(context, StatusCode.ResourceExhausted, $"message of {size} bytes exceeds {this.maxMessageBytes} bytes");
            return false;
        }

        if (!this.handler.HasRoomFor(size))
        {
            var outcome = this.handler.RefuseSaturated(ExporterMetrics.ProtocolGrpc);
            WriteTrailersOnly(context, StatusCode.Unavailable, OtlpGrpcTraceService.SaturatedMessage);
            foreach (var trailer in OtlpGrpcTraceService.SaturatedTrailers(outcome.RetryAfter))
            {
                // Binary ("-bin") metadata travels base64-encoded without padding, as gRPC's HTTP/2 mapping says.
                context.Response.Headers[trailer.Key] = trailer.IsBinary ? Convert.ToBase64String(trailer.ValueBytes).TrimEnd('=') : trailer.Value;
            }

            return false;
        }

        return true;
    }

    private static long? ReadLength(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < PrefixLength)
        {
            return null;
        }

        Span<byte> prefix = stackalloc byte[PrefixLength];
        buffer.Slice(0, PrefixLength).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
    }

    /// <summary>A gRPC answer with no message: status in the response headers, as the protocol allows.</summary>
    private static void WriteTrailersOnly(HttpContext context, StatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }
}
