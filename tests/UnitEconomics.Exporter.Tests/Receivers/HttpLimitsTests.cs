using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Otlp.Rpc;
using UnitEconomics.Exporter.Tests.Otlp;

namespace UnitEconomics.Exporter.Tests.Receivers;

/// <summary>Bad and oversized OTLP/HTTP requests are refused with the right status, counted, and do not hurt the next request.</summary>
[Collection(MemorySensitive.Name)]
public sealed class HttpLimitsTests
{
    [Fact]
    public async Task Bad_requests_get_400_or_413_and_the_service_keeps_serving()
    {
        var ingest = new CountingTraceIngest();
        // 1 MiB on the wire keeps the oversized bodies small; 32 MiB decompressed is the default.
        await using var exporter = await RunningExporter.StartAsync(ingest, "MaxRequestBodyBytes=1048576");
        using var http = new HttpClient();
        var valid = Requests.OneValidSpan().ToByteArray();
        var sentValid = 0;

        async Task AssertRefused(HttpContent content, HttpStatusCode expected, string expectedMessage, bool jsonBody = false)
        {
            using var response = await http.PostAsync(exporter.TracesUri, content);
            Assert.Equal(expected, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = jsonBody
                ? JsonParser.Default.Parse<Status>(Encoding.UTF8.GetString(body))
                : Status.Parser.ParseFrom(body);
            Assert.Contains(expectedMessage, status.Message, StringComparison.Ordinal);

            // The next valid request is served as if nothing happened.
            using var ok = await http.PostAsync(exporter.TracesUri, OtlpJsonTests.Protobuf(Requests.OneValidSpan()));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            sentValid++;
        }

        // Truncated protobuf: cut inside the first length-delimited field.
        await AssertRefused(Bytes(valid[..(valid.Length / 2)], "application/x-protobuf"), HttpStatusCode.BadRequest, "malformed OTLP protobuf");
        await AssertRefused(new StringContent("""{"resourceSpans":[{"scopeSpans":""", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "malformed OTLP/JSON", jsonBody: true);
        var notGzip = Bytes(Encoding.ASCII.GetBytes("this is not gzip at all, just text"), "application/x-protobuf");
        notGzip.Headers.ContentEncoding.Add("gzip");
        await AssertRefused(notGzip, HttpStatusCode.BadRequest, "not valid gzip");

        // Over the wire limit, announced by Content-Length and, separately, streamed without one.
        await AssertRefused(Bytes(new byte[(1024 * 1024) + 1], "application/x-protobuf"), HttpStatusCode.RequestEntityTooLarge, "exceeds 1048576 bytes");
        await AssertRefused(new UnknownLengthContent(new byte[2 * 1024 * 1024], "application/x-protobuf"), HttpStatusCode.RequestEntityTooLarge, "exceeds 1048576 bytes");

        // A gzip bomb: 100 MiB of zeros that compress to about 100 KiB, under the wire limit.
        var bomb = GzipOfZeros(100 * 1024 * 1024);
        Assert.InRange(bomb.Length, 1, 1024 * 1024);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var bombContent = Bytes(bomb, "application/x-protobuf");
        bombContent.Headers.ContentEncoding.Add("gzip");
        await AssertRefused(bombContent, HttpStatusCode.RequestEntityTooLarge, "decompressed request body exceeds 33554432 bytes");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        // Never inflated whole: the buffer stops at the 32 MiB limit (growing by doubling costs at most twice that).
        Assert.True(allocated < 80L * 1024 * 1024, $"allocated {allocated} bytes while refusing the gzip bomb");

        // A gzip body within the limits is accepted.
        var gzipped = Bytes(Gzip(valid), "application/x-protobuf");
        gzipped.Headers.ContentEncoding.Add("gzip");
        using (var response = await http.PostAsync(exporter.TracesUri, gzipped))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, exporter.RequestsRejected(ExporterMetrics.ReasonMalformed));
        Assert.Equal(3, exporter.RequestsRejected(ExporterMetrics.ReasonTooLarge));
        Assert.Equal(sentValid + 1, ingest.Requests.Count);
        Assert.Equal(sentValid + 1, exporter.Requests(ExporterMetrics.ProtocolHttpProtobuf, ExporterMetrics.OutcomeOk));
        // Five refused binary requests, one refused JSON request.
        Assert.Equal(5, exporter.Requests(ExporterMetrics.ProtocolHttpProtobuf, ExporterMetrics.OutcomeRejected));
        Assert.Equal(1, exporter.Requests(ExporterMetrics.ProtocolHttpJson, ExporterMetrics.OutcomeRejected));
    }

    [Fact]
    public async Task Unsupported_media_type_and_encoding_get_415()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        using var http = new HttpClient();

        using var text = await http.PostAsync(exporter.TracesUri, new StringContent("hello", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        var brotli = OtlpJsonTests.Protobuf(Requests.OneValidSpan());
        brotli.Headers.ContentEncoding.Add("br");
        using var br = await http.PostAsync(exporter.TracesUri, brotli);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, br.StatusCode);

        Assert.Equal(2, exporter.RequestsRejected(ExporterMetrics.ReasonUnsupportedMediaType));
        Assert.Empty(ingest.Requests);
    }

    [Fact]
    public async Task Otlp_paths_answer_only_on_their_own_port()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        using var http = new HttpClient();

        using var tracesOnMetricsPort = await http.PostAsync(new Uri(exporter.MetricsUri, "/v1/traces"), OtlpJsonTests.Protobuf(Requests.OneValidSpan()));
        Assert.Equal(HttpStatusCode.NotFound, tracesOnMetricsPort.StatusCode);
        using var metricsOnHttpPort = await http.GetAsync(new Uri(exporter.HttpUri, "/metrics"));
        Assert.Equal(HttpStatusCode.NotFound, metricsOnHttpPort.StatusCode);
        Assert.Empty(ingest.Requests);
    }

    private static ByteArrayContent Bytes(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] GzipOfZeros(int size)
    {
        var zeros = new byte[1024 * 1024];
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            for (var written = 0; written < size; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }

    /// <summary>A body sent chunked, without Content-Length, so only the counting limit can stop it.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] body;

        public UnknownLengthContent(byte[] body, string contentType)
        {
            this.body = body;
            this.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                for (var offset = 0; offset < this.body.Length; offset += 64 * 1024)
                {
                    await stream.WriteAsync(this.body.AsMemory(offset, Math.Min(64 * 1024, this.body.Length - offset)));
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // The server may answer 413 and stop reading before the whole body is sent.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

/// <summary>Tests that measure allocations run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemorySensitive
{
    public const string Name = "memory-sensitive";
}
