using System.Diagnostics;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Agents;

/// <summary>An ancestor of a span, as far as agent tasks care.</summary>
public readonly record struct AncestorInfo(ActivitySpanId SpanId, bool IsTaskRoot, string? AgentName);

/// <summary>Receives ancestors, nearest first.</summary>
public interface IAncestorVisitor
{
    void Visit(in AncestorInfo ancestor);
}

/// <summary>
/// The ancestors of a span that has ended. In-process they are live <see cref="Activity"/> parents; in
/// the service they come from the buffered trace. Either way the engine's task logic is the same.
/// </summary>
public interface ISpanAncestry
{
    /// <summary>Whether the span may have ancestors to visit; false lets the engine skip the agent-task walk.</summary>
    bool HasAncestors { get; }

    /// <summary>
    /// The span whose end ends the user request this span is part of (DESIGN §7a): in-process its outermost
    /// live ancestor, or the span itself when it has none; default where the door ends requests itself
    /// (the service, once a trace is accounted).
    /// </summary>
    ActivitySpanId RequestRoot { get; }

    void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor;
}

internal readonly struct ActivityAncestry : ISpanAncestry
{
    private readonly Activity activity;
    private readonly SpanNormalizer normalizer;

    public ActivityAncestry(Activity activity, SpanNormalizer normalizer)
    {
        this.activity = activity;
        this.normalizer = normalizer;
    }

    public bool HasAncestors => this.activity.Parent is not null;

    public ActivitySpanId RequestRoot
    {
        get
        {
            var root = this.activity;
            while (root.Parent is { } parent)
            {
                root = parent;
            }

            return root.SpanId;
        }
    }

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
        for (var parent = this.activity.Parent; parent is not null; parent = parent.Parent)
        {
            var isRoot = this.normalizer.StartsTask(parent, out var agent);
            visitor.Visit(new AncestorInfo(parent.SpanId, isRoot, agent));
        }
    }
}
