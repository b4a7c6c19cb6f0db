using System.Diagnostics;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// A span of a received batch seen through <see cref="ISpanView"/>, as the engine reads it when the
/// batch is taken: the one moment the span exists, before its trace keeps only the call. Its ids read as
/// default: the engine's hex-string form of them is made at replay, when the call is accounted, so no
/// id string waits with the trace (<see cref="TraceBuffer.Call"/>).
/// </summary>
internal readonly struct SpanRecordView : ISpanView
{
    private readonly SpanBatch batch;
    private readonly int index;

    public SpanRecordView(SpanBatch batch, int index)
    {
        this.batch = batch;
        this.index = index;
    }

    public string Name => this.Record.Name;

    public ActivityTraceId TraceId => default;

    public ActivitySpanId SpanId => default;

    public DateTime StartTimeUtc => FromUnixNanos(this.Record.StartTimeUnixNano);

    public DateTime EndTimeUtc => FromUnixNanos(this.Record.EndTimeUnixNano);

    public bool IsError => this.Record.IsError;

    private ref readonly SpanRecord Record => ref this.batch.Records[this.index];

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        foreach (ref readonly var attribute in this.batch.AttributesOf(this.Record))
        {
            visitor.Visit(attribute.Key, attribute.Value);
        }
    }

    public string? GetBaggage(string key) => null;

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        value = default;
        return this.Record.Resource is { } resource && resource.TryGet(key, out value);
    }

    /// <summary>OTLP's nanoseconds since the epoch as a UTC time (100 ns ticks; any ulong fits DateTime's range).</summary>
    internal static DateTime FromUnixNanos(ulong nanos) => DateTime.UnixEpoch.AddTicks((long)(nanos / 100));
}
