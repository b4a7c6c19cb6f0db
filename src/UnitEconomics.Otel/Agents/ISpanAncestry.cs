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
public readonly struct NoAncestry : ISpanAncestry
{
    public bool HasAncestors => false;

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
    }
}

/// <summary>Walks <see cref="Activity.Parent"/>: every in-process parent has not ended yet when its child ends.</summary>
public readonly struct ActivityAncestry : ISpanAncestry
{
    private readonly Activity activity;

    public ActivityAncestry(Activity activity)
    {
        this.activity = activity;
    }

    public bool HasAncestors => this.activity.Parent is not null;

    public void VisitAncestors<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAncestorVisitor
    {
        for (var parent = this.activity.Parent; parent is not null; parent = parent.Parent)
        {
            var (isRoot, agent) = ReadTaskRoot(parent);
            visitor.Visit(new AncestorInfo(parent.SpanId, isRoot, agent));
        }
    }

    /// <summary>Whether an activity starts an agent task: <c>invoke_agent</c>/<c>invoke_workflow</c>, or marked <c>ai.task.root</c>.</summary>
    public static (bool IsTaskRoot, string? AgentName) ReadTaskRoot(Activity activity)
    {
        var isRoot = false;
        string? agent = null;
        string? agentId = null;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            switch (tag.Key)
            {
                case GenAiAttributes.GenAi.OperationName:
                    isRoot |= tag.Value is string op && SpanNormalizer.Classify(op) == OperationKind.Agent;
                    break;
                case GenAiAttributes.UnitEconomics.TaskRoot:
                    isRoot |= AttributeValue.FromObject(tag.Value).IsTrue();
                    break;
                case GenAiAttributes.GenAi.Agent.Name:
                    agent = tag.Value as string;
                    break;
                case GenAiAttributes.GenAi.Agent.Id:
                    agentId = tag.Value as string;
                    break;
            }
        }

        return (isRoot, agent ?? agentId);
    }
}
