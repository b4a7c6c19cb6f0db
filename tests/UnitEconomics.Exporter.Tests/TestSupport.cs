using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Prometheus;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Hosting;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Exporter.Tests;

/// <summary>The test ingest: keeps every request it is offered and answers with <see cref="Result"/>.</summary>
internal sealed class CountingTraceIngest : ITraceIngest, IReadiness
{
    private readonly ConcurrentQueue<ExportTraceServiceRequest> requests = new();

    public IngestResult Result { get; set; } = IngestResult.Accepted();

    public bool IsReady { get; set; } = true;

    public IReadOnlyList<ExportTraceServiceRequest> Requests => this.requests.ToArray();

    public int SpanCount => this.Requests.Sum(OtlpIds.CountSpans);

    public IngestResult Offer(ExportTraceServiceRequest request)
    {
        this.requests.Enqueue(request);
        return this.Result;
    }

    /// <summary>Every span offered, with the resource it came with.</summary>
    public IReadOnlyList<OtlpSpanView> Spans() =>
        this.Requests.SelectMany(r => r.ResourceSpans)
            .SelectMany(rs => rs.ScopeSpans.SelectMany(ss => ss.Spans.Select(s => new OtlpSpanView(s, rs.Resource))))
            .ToList();

    public OtlpSpanView Single(string name) => Assert.Single(this.Spans(), s => s.Name == name);
}

/// <summary>Reads a span's attributes into a dictionary through the engine's visitor interface.</summary>
internal struct AttributeCollector : IAttributeVisitor
{
    public AttributeCollector()
    {
    }

    public Dictionary<string, AttributeValue> Values { get; } = new(StringComparer.Ordinal);

    public readonly void Visit(string key, in AttributeValue value) => this.Values[key] = value;

    public static Dictionary<string, AttributeValue> Read<TSpan>(TSpan span)
        where TSpan : ISpanView
    {
        var collector = new AttributeCollector();
        span.VisitAttributes(ref collector);
        return collector.Values;
    }
}

/// <summary>
/// The real service with a test's own ingest in place of the engine's: the same starter as
/// <see cref="Engine.EngineExporter"/> (loopback, free ports retried, a fresh metrics registry).
/// </summary>
internal static class RunningExporter
{
    /// <summary><paramref name="settings"/> are keys under <c>Exporter:</c> ("MaxRequestBodyBytes=1048576").</summary>
    public static Task<Engine.EngineExporter> StartAsync(ITraceIngest ingest, params string[] settings) =>
        Engine.EngineExporter.StartAsync([.. settings.Select(s => "Exporter:" + s)], services => services.AddSingleton(ingest));
}

/// <summary>A plain gRPC client for the Export method (the generated code is server-only).</summary>
internal static class GrpcExport
{
    public static readonly Method<ExportTraceServiceRequest, ExportTraceServiceResponse> Method = new(
        MethodType.Unary,
        "opentelemetry.proto.collector.trace.v1.TraceService",
        "Export",
        Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), ExportTraceServiceRequest.Parser.ParseFrom),
        Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), ExportTraceServiceResponse.Parser.ParseFrom));

    public static async Task<ExportTraceServiceResponse> CallAsync(Uri address, ExportTraceServiceRequest request, Metadata? headers = null)
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
        return await channel.CreateCallInvoker().AsyncUnaryCall(Method, null, new CallOptions(headers), request).ResponseAsync;
    }
}

/// <summary>Builds OTLP requests by hand.</summary>
internal static class Requests
{
    public static byte[] TraceId(byte first) => [first, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0];

    public static byte[] SpanId(byte first) => [first, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];

    public static Span Span(string name, byte[] traceId, byte[] spanId, byte[]? parent = null) => new()
    {
        Name = name,
        TraceId = Google.Protobuf.ByteString.CopyFrom(traceId),
        SpanId = Google.Protobuf.ByteString.CopyFrom(spanId),
        ParentSpanId = parent is null ? Google.Protobuf.ByteString.Empty : Google.Protobuf.ByteString.CopyFrom(parent),
        StartTimeUnixNano = 1_700_000_000_000_000_000,
        EndTimeUnixNano = 1_700_000_001_500_000_000,
    };

    public static ExportTraceServiceRequest Of(params Span[] spans)
    {
        var scope = new ScopeSpans();
        scope.Spans.AddRange(spans);
        var resourceSpans = new ResourceSpans { Resource = new Resource() };
        resourceSpans.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }

    public static ExportTraceServiceRequest OneValidSpan(string name = "ok") => Of(Span(name, TraceId(1), SpanId(1)));
}
