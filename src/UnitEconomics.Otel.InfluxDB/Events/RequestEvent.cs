namespace UnitEconomics.Otel.InfluxDB.Events;

/// <summary>
/// One priced model call, as the <c>ai_request</c> measurement records it. A plain value so the sink
/// does not depend on the engine's types; the engine maps its cost record onto it.
/// </summary>
/// <param name="TimestampUtc">When the call ended (UTC; a local time is converted).</param>
/// <param name="Cache"><c>hit</c> or <c>miss</c> for a semantic-cache lookup, <c>none</c> for a call that did not look the cache up.</param>
/// <param name="CostSource"><c>estimated</c> or <c>reported</c>.</param>
public readonly record struct RequestEvent(
    DateTime TimestampUtc,
    string Tenant,
    string Tier,
    string Provider,
    string Model,
    string Operation,
    string UseCase,
    string Cache,
    long InputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    long OutputTokens,
    long ReasoningTokens,
    double CostUsd,
    double LatencyMs,
    string? RequestId,
    string TraceId,
    string CostSource)
{
    /// <summary>
    /// Keeps this point apart from another call with the same tags that ended in the same millisecond
    /// (the span id's 64 bits; 0 writes the timestamp as it is). See <see cref="LineProtocol.PointTime"/>.
    /// </summary>
    public ulong PointSeed { get; init; }
}
