namespace UnitEconomics.Otel.InfluxDB.Events;

/// <summary>One completed agent task, as the <c>ai_agent_task</c> measurement records it.</summary>
/// <param name="TimestampUtc">When the task's root ended (UTC; a local time is converted).</param>
/// <param name="Outcome"><c>ok</c>, <c>error</c> or <c>budget_exceeded</c>.</param>
public readonly record struct AgentTaskEvent(
    DateTime TimestampUtc,
    string Tenant,
    string Tier,
    string Agent,
    string UseCase,
    string Outcome,
    int ModelCalls,
    int ToolCalls,
    int FailedCalls,
    long Tokens,
    double CostUsd,
    double DurationMs,
    string TraceId)
{
    /// <summary>The root span id's 64 bits, as <see cref="RequestEvent.PointSeed"/>.</summary>
    public ulong PointSeed { get; init; }
}
