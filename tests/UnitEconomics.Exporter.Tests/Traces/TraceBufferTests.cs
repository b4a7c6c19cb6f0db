using System.Globalization;
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

/// <summary>The pooled storage buffered traces live in, and the assembler reusing it.</summary>
public sealed class TraceBufferTests
{
    private static readonly RawTraceId TraceA = new(0xA1, 0xA2);
    private static readonly RawTraceId TraceB = new(0xB1, 0xB2);

    [Fact]
    public void The_pool_rents_powers_of_two_and_hands_returned_arrays_out_again()
    {
        var pool = new SizeClassPool<int>(maxRetainedElements: 1000);
        var first = pool.Rent(5);
        Assert.Equal(8, first.Length);
        Assert.Equal(1, pool.Outstanding);

        pool.Return(first, used: 5);
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(8, pool.RetainedElements);

        Assert.Same(first, pool.Rent(7));
        Assert.Equal(0, pool.RetainedElements);
        Assert.Equal(SizeClassPool<int>.MinLength, pool.Rent(0).Length);
    }

    [Fact]
    public void Returned_arrays_keep_no_references()
    {
        var pool = new SizeClassPool<string?>(maxRetainedElements: 100);
        var array = pool.Rent(4);
        array[0] = "tenant";
        array[1] = "model";
        pool.Return(array, used: 2);

        var again = pool.Rent(4);
        Assert.Same(array, again);
        Assert.All(again, Assert.Null);
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_bound_and_no_very_long_arrays()
    {
        var pool = new SizeClassPool<int>(maxRetainedElements: 16);
        var (a, b, c) = (pool.Rent(8), pool.Rent(8), pool.Rent(8));
        pool.Return(a, 0);
        pool.Return(b, 0);
        pool.Return(c, 0); // past the bound: left to the GC
        Assert.Equal(16, pool.RetainedElements);

        var rented = new[] { pool.Rent(8), pool.Rent(8), pool.Rent(8) };
        Assert.Contains(rented, r => ReferenceEquals(r, a));
        Assert.Contains(rented, r => ReferenceEquals(r, b));
        Assert.DoesNotContain(rented, r => ReferenceEquals(r, c));

        var large = new SizeClassPool<byte>(maxRetainedElements: long.MaxValue);
        large.Return(large.Rent(SizeClassPool<byte>.MaxPooledLength + 1), 0);
        Assert.Equal(0, large.RetainedElements);
    }

    [Fact]
    public void Spans_read_back_as_stored_and_every_array_goes_back_to_the_pool()
    {
        var pool = new TraceBufferPool(maxPooledBuffers: 4, maxRetainedBytesPerArrayKind: 1 << 20);
        var trace = pool.Rent(TraceA, now: 5);
        var resource = new DecodedResource([new("tenant.id", AttributeValue.OfString("acme"))]);

        // More spans than the linear search covers, so the id index is exercised too; every other one GenAI.
        const int Spans = TraceBuffer.LinearSearchLimit + 4;
        for (var i = 0; i < Spans; i++)
        {
            var genAi = i % 2 == 0;
            KeyValuePair<string, AttributeValue>[] attributes = genAi
                ? [new("gen_ai.request.model", AttributeValue.OfString("m" + i)), new("gen_ai.usage.input_tokens", AttributeValue.OfLong(100 + i)), new("x.ratio", AttributeValue.OfDouble(i / 4.0))]
                : [];
            var record = new SpanRecord(TraceA, Id(i), i == 0 ? default : Id(i - 1), "span " + i, (ulong)i, (ulong)(1000 + i), i == 4, resource, 0, attributes.Length);
            trace.Add(record, attributes, batchText: default, isTaskRoot: i == 2, agentName: i == 2 ? "planner" : null, genAi);
        }

        Assert.Equal(Spans, trace.NodeCount);
        Assert.Equal(Spans / 2, trace.GenAiCount);
        Assert.Equal(Spans / 2 * 3, trace.AttributeCount);
        Assert.Equal(-1, trace.Find(Id(Spans)));
        Assert.Equal(-1, trace.Find(default));
        for (var i = 0; i < Spans; i++)
        {
            Assert.Equal(i, trace.Find(Id(i)));
            var node = trace.Node(i);
            Assert.Equal(Id(i), node.Id);
            Assert.Equal(i == 0 ? default : Id(i - 1), node.Parent);
            Assert.Equal(i == 2, node.IsTaskRoot);
            Assert.Equal(i == 2 ? "planner" : null, trace.AgentNameOf(node));
            Assert.Equal(i % 2 == 0 ? i / 2 : -1, node.GenAiIndex);
            if (node.GenAiIndex < 0)
            {
                continue;
            }

            var span = trace.GenAiSpan(node.GenAiIndex);
            Assert.Equal(("span " + i, (ulong)i, (ulong)(1000 + i), i == 4), (trace.NameOf(span), span.StartTimeUnixNano, span.EndTimeUnixNano, span.IsError));
            Assert.Same(resource, trace.ResourceOf(span));
            var attributes = Enumerable.Range(0, span.AttributeCount).Select(a => trace.AttributeAt(span, a)).ToArray();
            Assert.Equal(["gen_ai.request.model", "gen_ai.usage.input_tokens", "x.ratio"], attributes.Select(a => a.Key));
            Assert.Equal("m" + i, attributes[0].Value.Text);
            Assert.Equal(AttributeKind.Long, attributes[1].Value.Kind);
            Assert.Equal((AttributeKind.Long, (100 + i).ToString(CultureInfo.InvariantCulture)), (attributes[1].Value.Kind, attributes[1].Value.AsString()));
            Assert.Equal((AttributeKind.Double, (i / 4.0).ToString(CultureInfo.InvariantCulture)), (attributes[2].Value.Kind, attributes[2].Value.AsString()));
        }

        // Handles for: 3 attribute keys, 10 model names and the names of the 10 GenAI spans (only their
        // content is kept), the resource, the agent name.
        Assert.Equal(3 + (Spans / 2) + (Spans / 2) + 1 + 1, pool.Objects.Count);

        var version = trace.Version;
        pool.Return(trace);
        Assert.Equal((0, 0, 0, 0), (pool.Nodes.Outstanding, pool.Spans.Outstanding, pool.Attributes.Outstanding, pool.Text.Outstanding));
        Assert.Equal(0, pool.Objects.Count);
        Assert.Equal(1, pool.PooledBuffers);
        Assert.Equal(version + 1, trace.Version);

        var reused = pool.Rent(TraceB, now: 9);
        Assert.Same(trace, reused);
        Assert.Equal((TraceB, 0, 0, 0L), (reused.TraceId, reused.NodeCount, reused.GenAiCount, reused.RootSeen));
        Assert.Equal(-1, reused.Find(Id(1)));
    }

    [Fact]
    public void The_pool_keeps_no_more_buffers_than_its_bound()
    {
        var pool = new TraceBufferPool(maxPooledBuffers: 1, maxRetainedBytesPerArrayKind: 1 << 20);
        var (a, b) = (pool.Rent(TraceA, 1), pool.Rent(TraceB, 1));
        pool.Return(a);
        pool.Return(b);
        Assert.Equal(1, pool.PooledBuffers);
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
        Assert.Equal(0, assembler.Pool.PooledBuffers);
        Assert.Equal([0.002m], sink.Calls.Select(c => c.Cost.Total)); // A: 1,000 input tokens at $2 per million

        // A's settle delay passes: its old queue entry must not process B, whose root has not come.
        time.Advance(TimeSpan.FromSeconds(2));
        assembler.ProcessDue(time.GetTimestamp());
        Assert.Equal(1, assembler.TracesInFlight);
        Assert.Single(sink.Calls);

        assembler.ProcessAll();
        Assert.Equal([0.002m, 0.004m], sink.Calls.Select(c => c.Cost.Total)); // then B: 2,000 input tokens at $2 per million
        Assert.Equal((0, 0, 0), (assembler.Pool.Nodes.Outstanding, assembler.Pool.Spans.Outstanding, assembler.Pool.Attributes.Outstanding));
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

    [Fact]
    public void Unique_string_values_wait_as_bytes_and_read_back_as_the_same_strings()
    {
        var first = Chat("first", TraceA, 1, parent: null, inputTokens: 10);
        first.Attributes.Add(new KeyValue { Key = "gen_ai.response.id", Value = new AnyValue { StringValue = "resp_0001" } });
        first.Attributes.Add(new KeyValue { Key = "gen_ai.conversation.id", Value = new AnyValue { StringValue = "conv-é-42" } });
        var second = Chat("second", TraceA, 2, parent: 1, inputTokens: 20);
        second.Attributes.Add(new KeyValue { Key = "gen_ai.response.id", Value = new AnyValue { StringValue = "" } });
        var batch = Batch(first, second);

        // The two ids of the first span are placeholders (attributes 3 and 4), so is the second's empty id.
        Assert.Equal([0b11000UL, 0b1000UL], batch.Records.ToArray().Select(r => r.DeferredMask));
        Assert.Equal("resp_0001", batch.Spans[0].Attributes[3].Value.Text);
        Assert.Equal("conv-é-42", batch.Spans[0].Attributes[4].Value.Text);
        Assert.Equal(AttributeKind.String, batch.Spans[1].Attributes[3].Value.Kind);
        Assert.Equal(string.Empty, batch.Spans[1].Attributes[3].Value.Text);

        // Into a trace buffer: the bytes are copied out of the batch, which may then be reused.
        var pool = new TraceBufferPool(maxPooledBuffers: 4, maxRetainedBytesPerArrayKind: 1 << 20);
        var trace = pool.Rent(TraceA, now: 1);
        foreach (var record in batch.Records)
        {
            trace.Add(record, batch.AttributesOf(record), batch.Text, isTaskRoot: false, agentName: null, genAi: true);
        }

        batch.Release();
        var seen = new Collector();
        var view = new StoredSpanView(trace, 0, default, default, default);
        view.VisitAttributes(ref seen);
        Assert.Equal(
            ["gen_ai.operation.name=chat", "gen_ai.request.model=acme-model", "gen_ai.usage.input_tokens=10", "gen_ai.response.id=resp_0001", "gen_ai.conversation.id=conv-é-42"],
            seen.Values);
        seen = new Collector();
        new StoredSpanView(trace, 1, default, default, default).VisitAttributes(ref seen);
        Assert.Equal("gen_ai.response.id=", seen.Values[3]);

        pool.Return(trace);
        Assert.Equal(0, pool.Text.Outstanding);
    }

    [Fact]
    public void Buffered_spans_hold_no_references_the_collector_would_scan()
    {
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<SpanNode>());
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<StoredSpan>());
        Assert.False(System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<StoredAttribute>());
    }

    [Fact]
    public void Every_kind_of_value_reads_back_exactly()
    {
        var objects = new ObjectTable();
        AttributeValue[] values =
        [
            default,
            AttributeValue.OfString("acme"),
            AttributeValue.OfString(string.Empty),
            AttributeValue.OfLong(long.MinValue),
            AttributeValue.OfLong(-1),
            AttributeValue.OfLong(long.MaxValue),
            AttributeValue.OfBool(true),
            AttributeValue.OfBool(false),
            AttributeValue.OfDouble(0.1),
            AttributeValue.OfDouble(-0.0),
            AttributeValue.OfDouble(double.MaxValue),
            AttributeValue.OfDouble(double.Epsilon),
            AttributeValue.OfDouble(double.NaN),
            AttributeValue.OfDouble(double.NegativeInfinity),
            AttributeValue.OfOther(),
        ];
        var stored = values.Select(v => StoredAttribute.From(objects.Acquire("k"), v, objects)).ToArray();
        Assert.Equal(3, objects.Count); // "k", "acme" and the empty string
        for (var i = 0; i < values.Length; i++)
        {
            var back = stored[i].Value(objects);
            Assert.Equal(values[i].Kind, back.Kind);
            Assert.Equal(values[i].AsString(), back.AsString());
            Assert.Same(values[i].Text, back.Text);
            Assert.Equal(values[i].RawBits, back.RawBits); // bit for bit: -0.0 and NaN included
        }

        foreach (var attribute in stored)
        {
            attribute.Release(objects);
        }

        Assert.Equal(0, objects.Count);
    }

    [Fact]
    public void A_handle_lives_while_any_use_of_it_does_and_is_reused_after()
    {
        var objects = new ObjectTable();
        var tenant = new string('t', 3);
        var first = objects.Acquire(tenant);
        Assert.Equal(first, objects.Acquire(tenant));
        Assert.Equal(0, objects.Acquire(null));
        Assert.Null(objects.Get(0));

        objects.Release(first);
        Assert.Same(tenant, objects.Get(first));
        objects.Release(first);
        Assert.Equal(0, objects.Count);
        Assert.Null(objects.Get(first));

        // A different object with equal text is a different entry: handles go by reference.
        var other = new string('t', 3);
        var second = objects.Acquire(other);
        Assert.Equal(first, second); // the freed slot is taken again
        Assert.Same(other, objects.Get(second));
        Assert.Equal(1, objects.Count);
    }

    private static RawSpanId Id(int i) => new((ulong)(0x100 + i), true);

    private static void Add(TraceAssembler assembler, SpanBatch batch, ManualTime time)
    {
        foreach (var record in batch.Records)
        {
            assembler.Add(batch, record, time.GetTimestamp());
        }

        assembler.ProcessDue(time.GetTimestamp());
    }

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

    private struct Collector : IAttributeVisitor
    {
        public Collector()
        {
        }

        public List<string> Values { get; } = [];

        public readonly void Visit(string key, in AttributeValue value) => this.Values.Add($"{key}={value.AsString()}");
    }

    private sealed class ManualTime : TimeProvider
    {
        private long ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => this.ticks;

        public void Advance(TimeSpan by) => this.ticks += by.Ticks;
    }
}
