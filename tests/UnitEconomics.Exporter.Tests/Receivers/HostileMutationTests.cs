using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace UnitEconomics.Exporter.Tests.Receivers;

/// <summary>
/// Valid export requests mutated at random (seeded: the same requests every run): bytes flipped,
/// cut short, garbage inserted, invalid UTF-8 and lone surrogates in JSON, gzip broken, over OTLP/HTTP
/// (protobuf, JSON, gzip) and OTLP/gRPC. None is answered 5xx or gRPC UNKNOWN/INTERNAL, none logs an
/// error, and the good requests sent between them are priced exactly.
/// </summary>
public sealed class HostileMutationTests
{
    private const int Mutations = 1_200;

    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Mutated_requests_never_get_a_server_error_and_good_spans_are_priced_exactly()
    {
        var logs = new HostileInputTests.ErrorLog();
        await using var exporter = await EngineExporter.StartAsync(
            ["Logging:LogLevel:Default=Information"],
            s => s.AddSingleton<ILoggerProvider>(logs));
        var random = new Random(17);
        var end = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var template = GenAiSpans.Request(Enumerable.Range(0, 3).Select(_ => GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, end, "fuzz", "fuzzing", 1_234, 567)));
        var protobuf = template.ToByteArray();
        var json = Encoding.UTF8.GetBytes(OtlpJson.Write(template.ResourceSpans[0].ScopeSpans[0].Spans));
        var statuses = new Dictionary<string, int>();
        var good = 0;

        for (var i = 0; i < Mutations; i++)
        {
            var kind = random.Next(4);
            var body = Mutate(kind == 1 ? json : protobuf, random, json: kind == 1);
            string answer;
            if (kind == 3)
            {
                answer = "grpc " + await HostileInputTests.RawGrpcStatusAsync(exporter.GrpcUri, body, gzip: random.Next(4) == 0);
            }
            else
            {
                using var content = new ByteArrayContent(kind == 2 ? Gzip(body, random) : body);
                content.Headers.ContentType = new MediaTypeHeaderValue(kind == 1 ? "application/json" : "application/x-protobuf");
                if (kind == 2)
                {
                    content.Headers.ContentEncoding.Add("gzip");
                }

                using var response = await Http.PostAsync(exporter.TracesUri, content);
                answer = "http " + (int)response.StatusCode;
            }

            statuses[answer] = statuses.GetValueOrDefault(answer) + 1;
            if (i % 50 == 0)
            {
                var span = GenAiSpans.Chat(GenAiSpans.NewTraceId(), null, end, "acme", "support", 1_000, 500);
                await Send.ProtobufOkAsync(exporter.TracesUri, GenAiSpans.Request([span]));
                good++;
            }
        }

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        Assert.DoesNotContain(statuses.Keys, k => k.StartsWith("http 5", StringComparison.Ordinal) || k is "grpc 2" or "grpc 13" or "grpc ");
        Assert.True(statuses.Keys.Any(k => k.StartsWith("http 4", StringComparison.Ordinal) || k is "grpc 3" or "grpc 8"), summary);

        // Each good request: 1,000 × $2 + 500 × $8 per million = $0.006; 24 of them.
        await exporter.Ingest.DrainAsync(includeRootless: true);
        var scrape = await exporter.ScrapeAsync();
        Assert.Equal(Mutations / 50, good);
        Assert.Equal(0.144m, scrape.Money("ai_tenant_cost_usd_total", ("tenant", "acme")));
        Assert.True(logs.Errors.IsEmpty, string.Join("\n", logs.Errors));
    }

    private static byte[] Mutate(byte[] valid, Random random, bool json)
    {
        var bytes = valid.ToList();
        switch (random.Next(json ? 6 : 4))
        {
            case 0: // flip a few bytes
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    var at = random.Next(bytes.Count);
                    bytes[at] = (byte)(bytes[at] ^ (1 << random.Next(8)));
                }

                break;
            case 1: // cut short
                var keep = random.Next(bytes.Count);
                bytes.RemoveRange(keep, bytes.Count - keep);
                break;
            case 2: // garbage inserted
                var garbage = new byte[random.Next(1, 32)];
                random.NextBytes(garbage);
                bytes.InsertRange(random.Next(bytes.Count), garbage);
                break;
            case 3: // a varint that never ends, or a length past the end
                bytes.InsertRange(random.Next(bytes.Count), Enumerable.Repeat((byte)0xFF, random.Next(5, 12)));
                break;
            case 4: // a raw 0xFF inside a JSON string
                var quote = bytes.IndexOf((byte)'"', random.Next(bytes.Count));
                bytes.Insert(quote < 0 ? 1 : quote + 1, 0xFF);
                break;
            default: // a lone surrogate escape inside a JSON string
                var q = bytes.IndexOf((byte)'"', random.Next(bytes.Count));
                bytes.InsertRange(q < 0 ? 1 : q + 1, "\\udc00"u8.ToArray());
                break;
        }

        return [.. bytes];
    }

    private static byte[] Gzip(byte[] data, Random random)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        var compressed = output.ToArray();
        if (random.Next(3) == 0)
        {
            compressed[random.Next(compressed.Length)] ^= 0x5A; // broken gzip
        }

        return compressed;
    }
}
