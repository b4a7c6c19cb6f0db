using System.Diagnostics;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Exporter.Traces;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Tests.Traces;

/// <summary>A received span as the engine reads it when its batch is taken.</summary>
public sealed class SpanRecordViewTests
{
    [Fact]
    public void Reads_ids_times_status_values_and_the_resource()
    {
        var span = Requests.Span("embeddings", Requests.TraceId(0xAB), Requests.SpanId(0xCD), parent: Requests.SpanId(0xEF));
        span.Status = new Status { Code = Status.Types.StatusCode.Ok };
        span.Attributes.Add(new KeyValue { Key = "n", Value = new AnyValue { IntValue = -3 } });
        span.Attributes.Add(new KeyValue { Key = "empty", Value = new AnyValue() });
        span.Attributes.Add(new KeyValue { Key = "missing" });
        var request = Requests.Of(span);
        request.ResourceSpans[0].Resource = new Resource();
        request.ResourceSpans[0].Resource.Attributes.Add(new KeyValue { Key = "tenant.id", Value = new AnyValue { StringValue = "initech" } });
        var batch = OtlpProtobufReader.Read(request.ToByteArray());
        var view = new SpanRecordView(batch, 0);
        Assert.Equal("embeddings", view.Name);

        // Ids stay raw while the trace waits (the engine's hex form is made at replay): the view gives none.
        Assert.Equal((default(ActivityTraceId), default(ActivitySpanId)), (view.TraceId, view.SpanId));
        Assert.Equal("ab102030405060708090a0b0c0d0e0f0", batch.Records[0].TraceId.ToActivityTraceId().ToHexString());
        Assert.Equal("cd11223344556677", batch.Records[0].SpanId.ToActivitySpanId().ToHexString());
        Assert.Equal("ef11223344556677", batch.Records[0].Parent.ToActivitySpanId().ToHexString());
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), view.StartTimeUtc);
        Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 21, 500, DateTimeKind.Utc), view.EndTimeUtc);
        Assert.False(view.IsError);

        var attributes = AttributeCollector.Read(view);
        Assert.Equal("-3", attributes["n"].AsString());
        Assert.Equal(AttributeKind.None, attributes["empty"].Kind);
        Assert.Equal(AttributeKind.None, attributes["missing"].Kind);
        Assert.True(view.TryGetResourceAttribute("tenant.id", out var tenant));
        Assert.Equal("initech", tenant.Text);
        Assert.False(view.TryGetResourceAttribute("service.name", out _));
    }

    [Fact]
    public void Ids_follow_otlp_rules_and_a_root_has_no_parent()
    {
        Assert.False(OtlpIds.AreValid(new byte[3], new byte[9], new byte[1]));
        Assert.False(OtlpIds.AreValid(new byte[16], Requests.SpanId(1), [])); // an all-zero trace id
        Assert.False(OtlpIds.AreValid(Requests.TraceId(1), Requests.SpanId(1), new byte[3]));
        Assert.True(OtlpIds.AreValid(Requests.TraceId(1), Requests.SpanId(1), []));

        var batch = OtlpProtobufReader.Read(Requests.Of(Requests.Span("root", Requests.TraceId(1), Requests.SpanId(1))).ToByteArray());
        Assert.False(batch.Records[0].Parent.Present);
        Assert.Equal("root", new SpanRecordView(batch, 0).Name);
    }
}
