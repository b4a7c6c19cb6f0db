using System.Diagnostics;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Otel.Agents;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// What a trace keeps of one span for walking ancestry: its parent and whether it starts an agent task.
/// <paramref name="GenAiIndex"/> points into <see cref="TraceBuffer.GenAiSpans"/>, or is -1 for a span
/// the engine would not read (kept only as a link in the parent chain).
/// </summary>
internal readonly record struct SpanNode(ActivitySpanId Parent, bool IsTaskRoot, string? AgentName, int GenAiIndex);

/// <summary>
/// The spans of one trace received so far. Owned by one worker: never touched by two threads.
/// </summary>
internal sealed class TraceBuffer
{
    public TraceBuffer(ActivityTraceId traceId, long firstSeen)
    {
        this.TraceId = traceId;
        this.LastTouched = firstSeen;
        this.ActivityNode = new LinkedListNode<TraceBuffer>(this);
    }

    public ActivityTraceId TraceId { get; }

    /// <summary>Every span of the trace by id; the first copy of a span id wins (a re-sent span counts once).</summary>
    public Dictionary<ActivitySpanId, SpanNode> Nodes { get; } = [];

    public List<DecodedSpan> GenAiSpans { get; } = [];

    /// <summary>When the first span without a parent arrived (a <see cref="TimeProvider"/> timestamp); 0 until then.</summary>
    public long RootSeen { get; set; }

    public long LastTouched { get; set; }

    /// <summary>This trace's place in its worker's least-recently-active list.</summary>
    public LinkedListNode<TraceBuffer> ActivityNode { get; }

    public bool Processed { get; set; }
}

/// <summary>
/// The ancestors of a buffered span, nearest first, from the trace's own parent links, through spans of
/// any kind. The walk ends at a parent that was not received (or after as many steps as there are spans,
/// so a malformed trace with a parent cycle cannot loop).
/// </summary>
internal readonly struct BufferedAncestry : ISpanAncestry
{
    private readonly Dictionary<ActivitySpanId, SpanNode> nodes;
    private readonly ActivitySpanId parent;

    public BufferedAncestry(Dictionary<ActivitySpanId, SpanNode> nodes, ActivitySpanId parent)
    {
        this.nodes = nodes;
        this.parent = parent;
    }

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
        var id = this.parent;
        for (var steps = 0; id != default && steps < this.nodes.Count && this.nodes.TryGetValue(id, out var node); steps++)
        {
            visitor.Visit(new AncestorInfo(id, node.IsTaskRoot, node.AgentName));
            id = node.Parent;
        }
    }
}
