using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Exporter.Traces;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Exporter.Tests.Traces;

/// <summary>What a trace keeps while it waits (calls and parent links), and the assembler accounting it.</summary>
public sealed class TraceBufferTests
{
    private static readonly RawTraceId TraceA = new(0xA1, 0xA2);
    private static readonly RawTraceId TraceB = new(0xB1, 0xB2);

    [Fact]
    public void A_trace_keeps_its_calls_and_every_span_as_a_link_and_is_reused_empty()
    {
        var trace = new TraceBuffer(new LabelTable());
        trace.Open(TraceA, firstSeen: 5);

        // More spans than the linear search covers, so the id index is exercised too; every other one a call.
        const int Spans = TraceBuffer.LinearSearchLimit + 4;
        for (var i = 0; i < Spans; i++)
        {
            var call = new GenAiCall { Model = "m" + i, AgentName = i == 2 ? "planner" : null, IsTaskRoot = i == 2, ResponseId = "resp-" + i, ConversationId = i == 4 ? "conv-é" : null };
            trace.Add(Id(i), i == 0 ? default : Id(i - 1), call, isCall: i % 2 == 0);
        }

        trace.Add(Id(3), default, default, isCall: false); // a sender's retry: the first copy is the one found
        Assert.Equal((Spans + 1, Spans / 2), (trace.LinkCount, trace.CallCount));
        Assert.Equal(-1, trace.Find(Id(Spans)));
        for (var i = 0; i < Spans; i++)
        {
            Assert.Equal(i, trace.Find(Id(i)));
            var link = trace.Link(i);
            Assert.Equal((Id(i), i == 0 ? default : Id(i - 1)), (link.Id, link.Parent));
            Assert.Equal((i == 2, i == 2 ? "planner" : null), (link.StartsTask, trace.AgentOf(link)));
            Assert.Equal(i % 2 == 0 ? i / 2 : -1, link.Call);
            if (link.Call >= 0)
            {
                // What waited without ids or per-span strings comes back whole, with the ids the replay gives it.
                var call = trace.Call(link.Call, TraceA.ToActivityTraceId(), link.Id.ToActivitySpanId());
                Assert.Equal(("m" + i, "resp-" + i, i == 4 ? "conv-é" : null), (call.Model, call.ResponseId, call.ConversationId));
                Assert.Equal((TraceA.ToActivityTraceId(), link.Id.ToActivitySpanId()), (call.TraceId, call.SpanId));
            }
        }

        var version = trace.Version;
        trace.Release();
        trace.Open(TraceB, firstSeen: 9);
        Assert.Equal((version + 1, TraceB, 0, 0, 0L), (trace.Version, trace.TraceId, trace.LinkCount, trace.CallCount, trace.RootSeen));
        Assert.Equal(-1, trace.Find(Id(1)));
    }

    [Fact]
    public void What_a_trace_keeps_holds_no_references_the_collector_would_scan()
    {
        // A second's worth of traces waits in these arrays: reference-free, they are never card-marked or scanned.
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<BufferedCall>());
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<SpanLink>());

        // Label-like strings are shared handles; a full label table falls back to the trace's own characters.
        var labels = new LabelTable();
        var trace = new TraceBuffer(labels);
        Assert.Equal(trace.Keep("acme"), trace.Keep("acme"));
        Assert.Equal(1, labels.Count);
        var unique = trace.Keep("resp-1", unique: true);
        Assert.True(unique < 0);
        Assert.Equal(("acme", "resp-1", (string?)null), (trace.Get(trace.Keep("acme")), trace.Get(unique), trace.Get(0)));
    }

    [Fact]
    public void Calls_outlive_their_batch_and_are_accounted_once_the_trace_settles()
    {
        var sink = new RecordingSink();
        var time = new ManualTime();
        var assembler = new TraceAssembler(Engine(sink), time, settleDelay: TimeSpan.FromSeconds(1), idleTimeout: TimeSpan.FromSeconds(30), maxTraces: 4);

        // The child arrives first, in a batch whose arrays go back to the pool and are decoded into again.
        var first = Batch(Chat("child", TraceA, 2, parent: 1, inputTokens: 3000));
        Add(assembler, first, time);
        first.SetReleases(1);
        first.Release();
        var reuse = Batch(Chat("other", TraceB, 9, parent: 8, inputTokens: 1));
        Add(assembler, Batch(Chat("root", TraceA, 1, parent: null, inputTokens: 500)), time);
        Assert.Empty(sink.Calls); // the root came; the settle delay has not passed

        time.Advance(TimeSpan.FromSeconds(2));
        assembler.ProcessDue(time.GetTimestamp());

        // Child before root (its end is not later here, but it is deeper): 3,000 and 500 input tokens at $2 per million.
        Assert.Equal([0.006m, 0.001m], sink.Calls.Select(c => c.Cost.Total));
        Assert.Equal((0, 1), (assembler.TracesInFlight, assembler.PooledBuffers));
        GC.KeepAlive(reuse);
    }

    [Fact]
    public void The_pool_keeps_no_more_buffers_than_the_bound_on_traces()
    {
        var time = new ManualTime();
        var assembler = new TraceAssembler(Engine(new RecordingSink()), time, settleDelay: TimeSpan.Zero, idleTimeout: TimeSpan.FromSeconds(30), maxTraces: 1);
        Add(assembler, Batch(Chat("a", TraceA, 1, parent: null, inputTokens: 1), Chat("b", TraceB, 2, parent: null, inputTokens: 1)), time);
        assembler.ProcessAll();
        Assert.Equal(1, assembler.PooledBuffers);
    }

    [Fact]
    public void A_trace_processed_early_leaves_no_stale_entry_that_processes_the_next_trace_in_its_buffer()
    {
        var sink = new RecordingSink();
        var time = new ManualTime();
        var assembler = new TraceAssembler(Engine(sink), time, settleDelay: TimeSpan.FromSeconds(1), idleTimeout: TimeSpan.FromSeconds(30), maxTraces: 1);

        // Trace A's root arrives; trace B's child pushes A out (the bound is one trace) and B gets A's buffer.
        Add(assembler, Batch(Chat("A root", TraceA, 1, parent: null, inputTokens: 1000)), time);
        Add(assembler, Batch(Chat("B child", TraceB, 2, parent: 3, inputTokens: 2000)), time);
        Assert.Equal(1, assembler.ProcessedEarly);
        Assert.Equal(0, assembler.PooledBuffers);
        Assert.Equal([0.002m], sink.Calls.Select(c => c.Cost.Total)); // A: 1,000 input tokens at $2 per million

        // A's settle delay passes: its old queue entry must not process B, whose root has not come.
        time.Advance(TimeSpan.FromSeconds(2));
        assembler.ProcessDue(time.GetTimestamp());
        Assert.Equal(1, assembler.TracesInFlight);
        Assert.Single(sink.Calls);

        assembler.ProcessAll();
        Assert.Equal([0.002m, 0.004m], sink.Calls.Select(c => c.Cost.Total)); // then B: 2,000 input tokens at $2 per million
        Assert.Equal(1, assembler.PooledBuffers);
    }

    [Fact]
    public void A_batch_read_by_several_workers_is_released_by_the_last()
    {
        var batch = Batch(Chat("one", TraceA, 1, parent: null, inputTokens: 10), Chat("two", TraceA, 2, parent: 1, inputTokens: 20));
        batch.SetReleases(2);
        batch.Release();
        Assert.False(batch.IsReleased);
        Assert.Equal(["one", "two"], batch.Records.ToArray().Select(r => r.Name));
        Assert.Equal(3, batch.AttributesOf(batch.Records[1]).Length);

        batch.Release();
        Assert.True(batch.IsReleased);
    }

    private static void Add(TraceAssembler assembler, SpanBatch batch, ManualTime time)
    {
        for (var i = 0; i < batch.Records.Length; i++)
        {
            assembler.Add(batch, i, time.GetTimestamp());
        }

        assembler.ProcessDue(time.GetTimestamp());
    }

    private static RawSpanId Id(int i) => new((ulong)i + 1, Present: true);

    private static SpanBatch Batch(params OpenTelemetry.Proto.Trace.V1.Span[] spans) => OtlpProtobufReader.Read(Requests.Of(spans).ToByteArray());

    private static OpenTelemetry.Proto.Trace.V1.Span Chat(string name, RawTraceId traceId, byte id, byte? parent, long inputTokens)
    {
        var traceBytes = new byte[16];
        traceId.CopyTo(traceBytes);
        var span = Requests.Span(name, traceBytes, Requests.SpanId(id), parent is { } p ? Requests.SpanId(p) : null);
        span.Attributes.Add(new KeyValue { Key = "gen_ai.operation.name", Value = new AnyValue { StringValue = "chat" } });
        span.Attributes.Add(new KeyValue { Key = "gen_ai.request.model", Value = new AnyValue { StringValue = "acme-model" } });
        span.Attributes.Add(new KeyValue { Key = "gen_ai.usage.input_tokens", Value = new AnyValue { IntValue = inputTokens } });
        return span;
    }

    private static CostEngine Engine(ICostSink sink)
    {
        var catalog = new PriceCatalog([new ModelPrice { Id = "acme-model", Standard = new PriceSet { Input = 2m, Output = 8m } }]);
        return new CostEngine(new UnitEconomicsOptions { UseDefaultCatalog = false }, () => catalog, () => TenantDirectory.Empty, [sink]);
    }

    private sealed class ManualTime : TimeProvider
    {
        private long ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => this.ticks;

        public void Advance(TimeSpan by) => this.ticks += by.Ticks;
    }
}
