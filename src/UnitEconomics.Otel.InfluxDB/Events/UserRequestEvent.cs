namespace UnitEconomics.Otel.InfluxDB.Events;

/// <summary>One completed user request (DESIGN §7a), as the <c>ai_user_request</c> measurement records it.</summary>
/// <param name="TimestampUtc">When the request ended (UTC; a local time is converted).</param>
/// <param name="Shape"><c>agent</c>, <c>rag</c>, <c>single_shot</c> or <c>other</c>.</param>
public readonly record struct UserRequestEvent(
    DateTime TimestampUtc,
    string Tenant,
    string Tier,
    string UseCase,
    string Shape,
    int Calls,
    int InferenceCalls,
    int RetrievalCalls,
    double CostUsd,
    double DurationMs,
    string TraceId)
{
    /// <summary>The root span id's 64 bits (in the service, where the trace is the request, the trace id's low 64), as <see cref="RequestEvent.PointSeed"/>.</summary>
    public ulong PointSeed { get; init; }
}
