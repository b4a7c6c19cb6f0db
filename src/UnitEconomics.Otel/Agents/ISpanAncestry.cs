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

    void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor;
}

/// <summary>No ancestors known (a root, or the caller does not track agent tasks).</summary>
internal readonly struct NoAncestry : ISpanAncestry
{
    public bool HasAncestors => false;

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
    }
}

/// <summary>
/// Walks <see cref="Activity.Parent"/>: every in-process parent has not ended yet when its child ends.
/// Each parent is read by the engine's normalizer, so "starts a task" is the one rule of <see cref="GenAiCall.StartsTask"/>.
/// </summary>
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
