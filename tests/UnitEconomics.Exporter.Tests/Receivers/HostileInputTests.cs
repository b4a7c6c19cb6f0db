using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Otlp.Rpc;

namespace UnitEconomics.Exporter.Tests.Receivers;

/// <summary>
/// Requests that once made the service answer 500 or gRPC UNKNOWN: each now gets a 4xx (or the gRPC
/// status the OTLP spec gives), is counted by reason, logs no error, and the service serves on, pricing
/// the good spans sent between them.
/// </summary>
public sealed class HostileInputTests
{
    private const string GrpcExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Malformed_requests_are_refused_counted_and_never_logged_as_errors()
    {
        var logs = new ErrorLog();
        await using var exporter = await EngineExporter.StartAsync(
            ["Logging:LogLevel:Default=Information"],
            s => s.AddSingleton<ILoggerProvider>(logs));
        var goodSent = 0;

        async Task ServesOn()
        {
            var end = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            var span = GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, end, "acme", "support", 1_000, 500);
            await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request([span]));
            goodSent++;
        }

        // OTLP/JSON whose string holds a raw 0xFF byte (not UTF-8), then a lone surrogate escape.
        var invalidUtf8 = Encoding.ASCII.GetBytes(JsonWithName("X")).Select(b => b == (byte)'X' ? (byte)0xFF : b).ToArray();
        await AssertJsonRefused(exporter, invalidUtf8);
        await ServesOn();
        await AssertJsonRefused(exporter, Encoding.UTF8.GetBytes(JsonWithName("\\ud800")));
        await ServesOn();

        // A chunk-size line that overflows 64 bits, then one that is not hex.
        Assert.StartsWith("HTTP/1.1 400", await RawHttpAsync(exporter.HttpUri, "ffffffffffffffff0"));
        await ServesOn();
        Assert.StartsWith("HTTP/1.1 400", await RawHttpAsync(exporter.HttpUri, "zz"));
        await ServesOn();

        // gRPC: a length prefix of 2^31, then a message flagged gzip that is not gzip.
        var (oversize, _) = await RawGrpcAsync(exporter.GrpcUri, compressedFlag: 0, declaredLength: 0x8000_0000u, payload: new byte[16], gzip: false);
        Assert.Equal("8", oversize); // RESOURCE_EXHAUSTED
        await ServesOn();
        var garbage = Encoding.ASCII.GetBytes("certainly not a gzip stream");
        var (corrupt, message) = await RawGrpcAsync(exporter.GrpcUri, compressedFlag: 1, declaredLength: (uint)garbage.Length, payload: garbage, gzip: true);
        Assert.Equal("3", corrupt); // INVALID_ARGUMENT
        Assert.Contains("gzip", message, StringComparison.Ordinal);
        await ServesOn();

        Assert.Equal(5, exporter.RequestsRejected(ExporterMetrics.ReasonMalformed));   // 2 JSON, 2 chunked, 1 gzip
        Assert.Equal(1, exporter.RequestsRejected(ExporterMetrics.ReasonTooLarge));    // the 2^31 prefix
        Assert.Equal(2, exporter.Requests(ExporterMetrics.ProtocolHttpJson, ExporterMetrics.OutcomeRejected));
        Assert.Equal(2, exporter.Requests(ExporterMetrics.ProtocolGrpc, ExporterMetrics.OutcomeRejected));

        // Every good span priced: 1,000 × $2 + 500 × $8 per million = $0.006 each.
        await exporter.Ingest.DrainAsync(includeRootless: true);
        var scrape = await exporter.ScrapeAsync();
        Assert.Equal(6, goodSent);
        Assert.Equal(0.036m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme"))); // 6 × 0.006
        Assert.Empty(logs.Errors);
    }

    [Fact]
    public async Task A_415_to_a_text_sender_is_text()
    {
        await using var exporter = await EngineExporter.StartAsync();
        using var response = await Http.PostAsync(exporter.TracesUri, new StringContent("hello", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("unsupported content type 'text/plain", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string JsonWithName(string name) =>
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"" + name + "\"}]}]}]}";

    private static async Task AssertJsonRefused(EngineExporter exporter, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync(exporter.TracesUri, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = JsonParser.Default.Parse<Status>(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("malformed OTLP/JSON", status.Message, StringComparison.Ordinal);
    }

    /// <summary>A chunked POST whose first chunk-size line is <paramref name="chunkSize"/>, over a raw socket; returns the status line.</summary>
    private static async Task<string> RawHttpAsync(Uri http, string chunkSize)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(http.Host, http.Port);
        await using var stream = client.GetStream();
        var request = $"POST /v1/traces HTTP/1.1\r\nHost: {http.Authority}\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n{chunkSize}\r\nabcd\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? string.Empty;
    }

    /// <summary>One gRPC Export call with a hand-made message prefix; returns grpc-status and grpc-message.</summary>
    private static async Task<(string? Status, string Message)> RawGrpcAsync(Uri grpc, byte compressedFlag, uint declaredLength, byte[] payload, bool gzip)
    {
        var body = new byte[5 + payload.Length];
        body[0] = compressedFlag;
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), declaredLength);
        payload.CopyTo(body, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(grpc, GrpcExportPath))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (gzip)
        {
            request.Headers.Add("grpc-encoding", "gzip");
        }

        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var values) ? values.First()
            : response.TrailingHeaders.TryGetValues(name, out values) ? values.First() : null;
        return (Header("grpc-status"), Uri.UnescapeDataString(Header("grpc-message") ?? string.Empty));
    }

    /// <summary>One gRPC Export call of <paramref name="message"/> (its prefix written here); returns grpc-status.</summary>
    internal static async Task<string?> RawGrpcStatusAsync(Uri grpc, byte[] message, bool gzip) =>
        (await RawGrpcAsync(grpc, gzip ? (byte)1 : (byte)0, (uint)message.Length, message, gzip)).Status;

    /// <summary>Keeps every log entry at Error or above, from any category.</summary>
    internal sealed class ErrorLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    owner.Errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
