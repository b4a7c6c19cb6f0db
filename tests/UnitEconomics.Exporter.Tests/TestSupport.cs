using System.Collections.Concurrent;
using System.Diagnostics;
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

/// <summary>The test ingest: keeps what it is offered, as <see cref="ReceivedSpan"/>s, and answers with <see cref="Result"/>.</summary>
internal sealed class CountingTraceIngest : ITraceIngest
{
    private readonly ConcurrentQueue<IReadOnlyList<ReceivedSpan>> requests = new();

    public IngestStatus Result { get; set; } = IngestStatus.Accepted;

    public bool IsReady { get; set; } = true;

    /// <summary>Null: the receivers decode every attribute (an engine-backed ingest reads only its keys).</summary>
    public SpanNormalizer? Reader { get; set; }

    /// <summary>Each request offered: its valid spans.</summary>
    public IReadOnlyList<IReadOnlyList<ReceivedSpan>> Requests => this.requests.ToArray();

    public int SpanCount => this.Requests.Sum(r => r.Count);

    public IngestStatus Offer(SpanBatch batch)
    {
        this.requests.Enqueue(ReceivedSpan.Of(batch));
        batch.SetReleases(1);
        batch.Release();
        return this.Result;
    }

    /// <summary>Every span offered, with the resource it came with.</summary>
    public IReadOnlyList<ReceivedSpan> Spans() => [.. this.Requests.SelectMany(r => r)];

    public ReceivedSpan Single(string name) => Assert.Single(this.Spans(), s => s.Name == name);
}

/// <summary>
/// A span as a receiver handed it over in its batch, copied out (the batch's arrays go back to the pool),
/// and seen through the engine's <see cref="ISpanView"/>.
/// </summary>
internal sealed record ReceivedSpan(
    ActivityTraceId TraceId,
    ActivitySpanId SpanId,
    ActivitySpanId ParentSpanId,
    string Name,
    ulong StartTimeUnixNano,
    ulong EndTimeUnixNano,
    bool IsError,
    KeyValuePair<string, AttributeValue>[] Attributes,
    DecodedResource? Resource) : ISpanView
{
    public DateTime StartTimeUtc => DateTime.UnixEpoch.AddTicks((long)(this.StartTimeUnixNano / 100));

    public DateTime EndTimeUtc => DateTime.UnixEpoch.AddTicks((long)(this.EndTimeUnixNano / 100));

    public static IReadOnlyList<ReceivedSpan> Of(SpanBatch batch)
    {
        var spans = new List<ReceivedSpan>();
        foreach (ref readonly var r in batch.Records)
        {
            spans.Add(new ReceivedSpan(
                r.TraceId.ToActivityTraceId(),
                r.SpanId.ToActivitySpanId(),
                r.Parent.ToActivitySpanId(),
                r.Name,
                r.StartTimeUnixNano,
                r.EndTimeUnixNano,
                r.IsError,
                batch.AttributesOf(r).ToArray(),
                r.Resource));
        }

        return spans;
    }

    /// <summary>Everything read from the span as one line, for comparing two decodings of the same span.</summary>
    public string Describe() =>
        $"{this.TraceId}/{this.SpanId}/{this.ParentSpanId} {this.Name} {this.StartTimeUnixNano}-{this.EndTimeUnixNano} error={this.IsError} "
        + string.Join(", ", this.Attributes.Select(a => $"{a.Key}={a.Value.Kind}:{a.Value.AsString()}"));

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        foreach (var (key, value) in this.Attributes)
        {
            visitor.Visit(key, value);
        }
    }

    public string? GetBaggage(string key) => null;

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        value = default;
        return this.Resource is { } resource && resource.TryGet(key, out value);
    }
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
/// <see cref="EngineExporter"/> (loopback, free ports retried, a fresh metrics registry).
/// </summary>
internal static class RunningExporter
{
    /// <summary><paramref name="settings"/> are keys under <c>Exporter:</c> ("MaxRequestBodyBytes=1048576").</summary>
    public static Task<EngineExporter> StartAsync(ITraceIngest ingest, params string[] settings) =>
        EngineExporter.StartAsync([.. settings.Select(s => "Exporter:" + s)], services => services.AddSingleton(ingest));
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
