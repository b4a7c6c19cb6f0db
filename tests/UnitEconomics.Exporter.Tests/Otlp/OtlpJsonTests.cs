using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Tests.Otlp;

public sealed class OtlpJsonTests
{
    // Written to the OTLP/JSON rules: lowerCamelCase keys, hex ids (any case), integer enums, 64-bit
    // integers as strings or numbers, base64 bytes, and keys this receiver does not know.
    private const string Json = """
    {
      "resourceSpans": [{
        "resource": {
          "attributes": [
            { "key": "service.name", "value": { "stringValue": "billing" } },
            { "key": "tenant.id", "value": { "stringValue": "globex" } }
          ],
          "droppedAttributesCount": 0
        },
        "scopeSpans": [{
          "scope": { "name": "my.genai.lib", "version": "1.2.0" },
          "spans": [{
            "traceId": "5B8EFFF798038103D269B633813FC60C",
            "spanId": "eee19b7ec3c1b174",
            "parentSpanId": "EEE19B7EC3C1B173",
            "name": "chat claude-sonnet-4",
            "kind": 3,
            "flags": 257,
            "startTimeUnixNano": "1700000000000000000",
            "endTimeUnixNano": 1700000002250000000,
            "attributes": [
              { "key": "gen_ai.operation.name", "value": { "stringValue": "chat" } },
              { "key": "gen_ai.usage.input_tokens", "value": { "intValue": "2048" } },
              { "key": "gen_ai.usage.output_tokens", "value": { "intValue": 512 } },
              { "key": "gen_ai.usage.cost.amount", "value": { "doubleValue": 0.75 } },
              { "key": "ai.cache.hit", "value": { "boolValue": false } },
              { "key": "tags", "value": { "arrayValue": { "values": [ { "stringValue": "a" } ] } } },
              { "key": "map", "value": { "kvlistValue": { "values": [ { "key": "k", "value": { "intValue": "1" } } ] } } },
              { "key": "blob", "value": { "bytesValue": "AQID" } }
            ],
            "events": [ { "timeUnixNano": "1700000001000000000", "name": "first_token", "futureEventField": 1 } ],
            "links": [ { "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "0102030405060708" } ],
            "status": { "code": 2, "message": "overloaded" },
            "someFutureField": { "nested": [1, 2, 3] }
          }]
        }]
      }],
      "unknownTopLevel": true
    }
    """;

    [Fact]
    public async Task Json_request_decodes_to_exact_values_and_equals_the_protobuf_form()
    {
        var ingest = new CountingTraceIngest();
        await using var exporter = await RunningExporter.StartAsync(ingest);
        using var http = new HttpClient();

        using var jsonResponse = await http.PostAsync(exporter.TracesUri, new StringContent(Json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, jsonResponse.StatusCode);
        Assert.Equal("application/json", jsonResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{ }", await jsonResponse.Content.ReadAsStringAsync());

        var span = Assert.Single(ingest.Spans());
        Assert.Equal(ActivityTraceId.CreateFromString("5b8efff798038103d269b633813fc60c"), span.TraceId);
        Assert.Equal(ActivitySpanId.CreateFromString("eee19b7ec3c1b174"), span.SpanId);
        Assert.Equal(ActivitySpanId.CreateFromString("eee19b7ec3c1b173"), span.ParentSpanId);
        // 1,700,000,000 s after the epoch is 2023-11-14 22:13:20 UTC; the end is 2.25 s later.
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), span.StartTimeUtc);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 22, 250, DateTimeKind.Utc), span.EndTimeUtc);
        Assert.True(span.IsError);

        var attributes = AttributeCollector.Read(span);
        Assert.Equal("chat", attributes["gen_ai.operation.name"].Text);
        Assert.True(attributes["gen_ai.usage.input_tokens"].TryGetTokenCount(out var input, out _));
        Assert.Equal(2048L, input);
        Assert.Equal(AttributeKind.Long, attributes["gen_ai.usage.output_tokens"].Kind);
        Assert.Equal("512", attributes["gen_ai.usage.output_tokens"].AsString());
        Assert.Equal("0.75", attributes["gen_ai.usage.cost.amount"].AsString());
        Assert.Equal(AttributeKind.Bool, attributes["ai.cache.hit"].Kind);
        Assert.False(attributes["ai.cache.hit"].IsTrue());
        Assert.Equal(AttributeKind.Other, attributes["tags"].Kind);
        Assert.Equal(AttributeKind.Other, attributes["map"].Kind);
        Assert.Equal(AttributeKind.Other, attributes["blob"].Kind);
        Assert.True(span.TryGetResourceAttribute("tenant.id", out var tenant));
        Assert.Equal("globex", tenant.Text);

        // The same data sent as binary protobuf decodes to the same span.
        var expected = ProtobufForm();
        using var protoResponse = await http.PostAsync(exporter.TracesUri, Protobuf(expected));
        Assert.Equal(HttpStatusCode.OK, protoResponse.StatusCode);
        Assert.Equal(2, ingest.Requests.Count);
        Assert.Equal(ingest.Requests[1].Select(s => s.Describe()), ingest.Requests[0].Select(s => s.Describe()));
        Assert.Equal(1, exporter.Metrics.SpansReceived.WithLabels(ExporterMetrics.ProtocolHttpJson).Value);
        Assert.Equal(1, exporter.Requests(ExporterMetrics.ProtocolHttpJson, ExporterMetrics.OutcomeOk));
    }

    [Theory]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC6","spanId":"eee19b7ec3c1b174"}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"zzzzzzzzzzzzzzzz"}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"}]}]}]}""")]
    public void Bad_ids_in_json_are_kept_as_invalid_ids_not_thrown(string json)
    {
        var batch = OtlpJsonReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.Equal((1, 1, 0), (batch.Received, batch.Invalid, batch.Count));
    }

    [Theory]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_CLIENT"}]}]}]}""")]
    [InlineData("""{"resourceSpans":{}}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"x","value":{"intValue":"twelve"}}]}]}]}]}""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"x","value":{"bytesValue":"not base64!"}}]}]}]}]}""")]
    [InlineData("""{"resourceSpans":[""")]
    [InlineData("""[]""")]
    [InlineData("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"x","value":{"doubleValue":"half"}}]}]}]}]}""")]
    public void Json_that_is_not_otlp_fails_with_a_format_error(string json)
    {
        Assert.Throws<OtlpFormatException>(() => OtlpJsonReader.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("\"NaN\"", double.NaN)]
    [InlineData("\"Infinity\"", double.PositiveInfinity)]
    [InlineData("\"-Infinity\"", double.NegativeInfinity)]
    [InlineData("\"0.25\"", 0.25)]
    [InlineData("1e-3", 0.001)]
    public void Double_values_may_be_quoted_and_non_finite_as_the_proto3_json_mapping_spells_them(string json, double expected)
    {
        var request = """{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","attributes":[{"key":"x","value":{"doubleValue":"""
            + json + "}}]}]}]}]}";
        var batch = OtlpJsonReader.Read(Encoding.UTF8.GetBytes(request));
        Assert.Equal(AttributeValue.OfDouble(expected), Assert.Single(batch.AttributesOf(batch.Records[0]).ToArray()).Value);
    }

    [Fact]
    public void Snake_case_keys_are_unknown_fields_and_ignored()
    {
        var batch = OtlpJsonReader.Read(Encoding.UTF8.GetBytes("""{"resource_spans":[{"scopeSpans":[]}]}"""));
        Assert.Equal(0, batch.Received);
    }

    internal static ByteArrayContent Protobuf(IMessage message)
    {
        var content = new ByteArrayContent(message.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    private static ExportTraceServiceRequest ProtobufForm()
    {
        static KeyValue Kv(string key, AnyValue value) => new() { Key = key, Value = value };
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString("5B8EFFF798038103D269B633813FC60C")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("eee19b7ec3c1b174")),
            ParentSpanId = ByteString.CopyFrom(Convert.FromHexString("EEE19B7EC3C1B173")),
            Name = "chat claude-sonnet-4",
            Kind = Span.Types.SpanKind.Client,
            Flags = 257,
            StartTimeUnixNano = 1_700_000_000_000_000_000,
            EndTimeUnixNano = 1_700_000_002_250_000_000,
            Status = new Status { Code = Status.Types.StatusCode.Error, Message = "overloaded" },
        };
        span.Attributes.Add(Kv("gen_ai.operation.name", new AnyValue { StringValue = "chat" }));
        span.Attributes.Add(Kv("gen_ai.usage.input_tokens", new AnyValue { IntValue = 2048 }));
        span.Attributes.Add(Kv("gen_ai.usage.output_tokens", new AnyValue { IntValue = 512 }));
        span.Attributes.Add(Kv("gen_ai.usage.cost.amount", new AnyValue { DoubleValue = 0.75 }));
        span.Attributes.Add(Kv("ai.cache.hit", new AnyValue { BoolValue = false }));
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { StringValue = "a" });
        span.Attributes.Add(Kv("tags", new AnyValue { ArrayValue = array }));
        var map = new KeyValueList();
        map.Values.Add(Kv("k", new AnyValue { IntValue = 1 }));
        span.Attributes.Add(Kv("map", new AnyValue { KvlistValue = map }));
        span.Attributes.Add(Kv("blob", new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3) }));
        span.Events.Add(new Span.Types.Event { TimeUnixNano = 1_700_000_001_000_000_000, Name = "first_token" });
        span.Links.Add(new Span.Types.Link
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString("0102030405060708090a0b0c0d0e0f10")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("0102030405060708")),
        });

        var resource = new Resource();
        resource.Attributes.Add(Kv("service.name", new AnyValue { StringValue = "billing" }));
        resource.Attributes.Add(Kv("tenant.id", new AnyValue { StringValue = "globex" }));
        var scopeSpans = new ScopeSpans { Scope = new InstrumentationScope { Name = "my.genai.lib", Version = "1.2.0" } };
        scopeSpans.Spans.Add(span);
        var resourceSpans = new ResourceSpans { Resource = resource };
        resourceSpans.ScopeSpans.Add(scopeSpans);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }
}
