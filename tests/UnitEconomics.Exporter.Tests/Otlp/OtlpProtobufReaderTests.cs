using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Tests.Otlp;

/// <summary>The hand-written OTLP protobuf reader against requests built with the generated types.</summary>
public sealed class OtlpProtobufReaderTests
{
    [Fact]
    public void Reads_ids_times_status_attributes_and_the_resource()
    {
        var span = Requests.Span("chat gpt-4o", Requests.TraceId(0xAB), Requests.SpanId(0xCD), parent: Requests.SpanId(0xEF));
        span.Status = new Status { Code = Status.Types.StatusCode.Error, Message = "boom" };
        span.Kind = Span.Types.SpanKind.Client;
        span.TraceState = "vendor=x";
        span.Flags = 0x301;
        span.Attributes.Add(new KeyValue { Key = "gen_ai.usage.input_tokens", Value = new AnyValue { IntValue = -3 } });
        span.Attributes.Add(new KeyValue { Key = "gen_ai.request.model", Value = new AnyValue { StringValue = "gpt-4o" } });
        span.Attributes.Add(new KeyValue { Key = "ratio", Value = new AnyValue { DoubleValue = 0.25 } });
        span.Attributes.Add(new KeyValue { Key = "ai.cache.hit", Value = new AnyValue { BoolValue = true } });
        span.Attributes.Add(new KeyValue { Key = "list", Value = new AnyValue { ArrayValue = new ArrayValue { Values = { new AnyValue { IntValue = 1 } } } } });
        span.Attributes.Add(new KeyValue { Key = "blob", Value = new AnyValue { BytesValue = ByteString.CopyFrom(1, 2) } });
        span.Attributes.Add(new KeyValue { Key = "empty", Value = new AnyValue() });
        span.Attributes.Add(new KeyValue { Key = "missing" });
        span.Events.Add(new Span.Types.Event { Name = "retry", TimeUnixNano = 5 });
        var resource = new Resource { DroppedAttributesCount = 2 };
        resource.Attributes.Add(new KeyValue { Key = "tenant.id", Value = new AnyValue { StringValue = "initech" } });
        var request = new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = resource, SchemaUrl = "https://opentelemetry.io/schemas/1.37.0", ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "s" }, Spans = { span } } } } },
        };

        var batch = OtlpProtobufReader.Read(request.ToByteArray());

        Assert.Equal(0, batch.Invalid);
        var read = Assert.Single(ReceivedSpan.Of(batch));
        Assert.Equal("chat gpt-4o", read.Name);
        Assert.Equal("ab102030405060708090a0b0c0d0e0f0", read.TraceId.ToHexString());
        Assert.Equal("cd11223344556677", read.SpanId.ToHexString());
        Assert.Equal("ef11223344556677", read.ParentSpanId.ToHexString());
        Assert.Equal(span.StartTimeUnixNano, read.StartTimeUnixNano);
        Assert.Equal(span.EndTimeUnixNano, read.EndTimeUnixNano);
        Assert.True(read.IsError);
        Assert.Equal(8, read.Attributes.Length);
        Assert.Equal(AttributeKind.Long, read.Attributes[0].Value.Kind);
        Assert.Equal("-3", read.Attributes[0].Value.AsString());
        Assert.Equal("gpt-4o", read.Attributes[1].Value.Text);
        Assert.Equal("0.25", read.Attributes[2].Value.AsString());
        Assert.True(read.Attributes[3].Value.IsTrue());
        Assert.Equal(AttributeKind.Other, read.Attributes[4].Value.Kind);
        Assert.Equal(AttributeKind.Other, read.Attributes[5].Value.Kind);
        Assert.Equal(AttributeKind.None, read.Attributes[6].Value.Kind);
        Assert.Equal(AttributeKind.None, read.Attributes[7].Value.Kind);

        // The engine's key constants come back as the same instances: its by-reference lookup hits.
        Assert.Same(GenAiAttributes.GenAi.Usage.InputTokens, read.Attributes[0].Key);
        Assert.Same(GenAiAttributes.GenAi.Request.Model, read.Attributes[1].Key);

        Assert.True(read.TryGetResourceAttribute("tenant.id", out var tenant));
        Assert.Equal("initech", tenant.Text);
    }

    [Fact]
    public void Leaves_out_and_counts_spans_with_malformed_ids()
    {
        var good = Requests.Span("ok", Requests.TraceId(1), Requests.SpanId(1));
        var shortTrace = Requests.Span("short trace id", [1, 2, 3], Requests.SpanId(2));
        var zeroSpan = Requests.Span("zero span id", Requests.TraceId(3), new byte[8]);
        var badParent = Requests.Span("parent of 3 bytes", Requests.TraceId(4), Requests.SpanId(4), parent: [1, 2, 3]);
        var request = Requests.Of(good, shortTrace, zeroSpan, badParent);

        var batch = OtlpProtobufReader.Read(request.ToByteArray());

        Assert.Equal("ok", Assert.Single(ReceivedSpan.Of(batch)).Name);
        Assert.Equal(3, batch.Invalid);
        Assert.Equal(4, batch.Received);
    }

    [Fact]
    public void A_resource_written_after_its_spans_still_applies_to_them()
    {
        // Field order on the wire is free in protobuf: scope_spans (2) first, then resource (1).
        var scope = new ScopeSpans { Spans = { Requests.Span("late resource", Requests.TraceId(9), Requests.SpanId(9)) } };
        var resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "rag-api" } } } };
        var resourceSpans = new List<byte>();
        resourceSpans.AddRange(Field(2, scope.ToByteArray()));
        resourceSpans.AddRange(Field(1, resource.ToByteArray()));
        var body = Field(1, [.. resourceSpans]);

        var span = Assert.Single(ReceivedSpan.Of(OtlpProtobufReader.Read(body)));
        Assert.True(span.Resource!.TryGet("service.name", out var name));
        Assert.Equal("rag-api", name.Text);
    }

    [Fact]
    public void With_the_engine_reading_only_attributes_it_reads_are_kept_on_spans_and_resources()
    {
        var catalog = UnitEconomics.Otel.Pricing.PriceCatalog.Empty;
        var options = new UnitEconomics.Otel.Engine.UnitEconomicsOptions();
        options.Spans.TenantKeys.Add("customer.id");
        var engine = new UnitEconomics.Otel.Engine.CostEngine(options, () => catalog, () => UnitEconomics.Otel.Tenants.TenantDirectory.Empty, []);
        var reader = engine.Normalizer;
        var span = Requests.Span("chat gpt-4o", Requests.TraceId(1), Requests.SpanId(1));
        foreach (var (key, value) in new[] { ("gen_ai.request.max_tokens", "1"), ("customer.id", "acme"), ("server.address", "api.openai.com"), ("gen_ai.usage.output_tokens", "7"), ("gen_ai.conversation.id", "c1") })
        {
            span.Attributes.Add(new KeyValue { Key = key, Value = new AnyValue { StringValue = value } });
        }

        var request = Requests.Of(span);
        request.ResourceSpans[0].Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "rag-api" } });
        request.ResourceSpans[0].Resource.Attributes.Add(new KeyValue { Key = "customer.id", Value = new AnyValue { StringValue = "globex" } });

        var read = Assert.Single(ReceivedSpan.Of(OtlpProtobufReader.Read(request.ToByteArray(), reader)));

        Assert.Equal(["customer.id", "gen_ai.usage.output_tokens", "gen_ai.conversation.id"], read.Attributes.Select(a => a.Key));
        Assert.Equal("acme", read.Attributes[0].Value.Text);
        Assert.False(read.TryGetResourceAttribute("service.name", out _));
        Assert.True(read.TryGetResourceAttribute("customer.id", out var tenant));
        Assert.Equal("globex", tenant.Text);

        // OTLP/JSON keeps the same attributes.
        var attributes = string.Join(",", span.Attributes.Select(a => $$$"""{"key":"{{{a.Key}}}","value":{"stringValue":"{{{a.Value.StringValue}}}"}}"""));
        var json = System.Text.Encoding.UTF8.GetBytes($$$"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"rag-api"}},{"key":"customer.id","value":{"stringValue":"globex"}}]},
            "scopeSpans":[{"spans":[{"traceId":"{{{Convert.ToHexString(span.TraceId.Span)}}}","spanId":"{{{Convert.ToHexString(span.SpanId.Span)}}}","name":"chat gpt-4o","attributes":[{{{attributes}}}]}]}]}]}
            """);
        Assert.Equal(read.Attributes.Select(a => a.Key), Assert.Single(ReceivedSpan.Of(OtlpJsonReader.Read(json, reader))).Attributes.Select(a => a.Key));
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x0A })] // length past the end
    [InlineData(new byte[] { 0x0A })] // no length
    [InlineData(new byte[] { 0x00, 0x01 })] // field number 0
    [InlineData(new byte[] { 0x0B })] // group wire type
    [InlineData(new byte[] { 0x09, 0x01, 0x02 })] // fixed64 cut short
    public void Malformed_input_is_a_format_error(byte[] body) =>
        Assert.Throws<OtlpFormatException>(() => OtlpProtobufReader.Read(body));

    [Fact]
    public void An_empty_body_is_an_empty_request() => Assert.Equal(0, OtlpProtobufReader.Read([]).Received);

    private static byte[] Field(int number, byte[] payload)
    {
        var output = new List<byte> { (byte)((number << 3) | 2) };
        var length = (uint)payload.Length;
        while (length >= 0x80)
        {
            output.Add((byte)(length | 0x80));
            length >>= 7;
        }

        output.Add((byte)length);
        output.AddRange(payload);
        return [.. output];
    }
}
