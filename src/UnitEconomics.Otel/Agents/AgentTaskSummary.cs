using System.Diagnostics;

namespace UnitEconomics.Otel.Agents;

/// <summary>An agent task closed: the rollup of every priced call under its root (DESIGN §7).</summary>
public readonly record struct AgentTaskSummary(
    ActivityTraceId TraceId,
    ActivitySpanId RootSpanId,
    string Agent,
    string TenantLabel,
    string Tier,
    string UseCase,
    string Outcome,
    decimal CostUsd,
    int ModelCalls,
    int ToolCalls,
    int FailedCalls,
    long Tokens,
    DateTime StartUtc,
    DateTime EndUtc,
    bool ClosedByTimeout);
