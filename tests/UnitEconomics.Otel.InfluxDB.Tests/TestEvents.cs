using UnitEconomics.Otel.InfluxDB.Events;

namespace UnitEconomics.Otel.InfluxDB.Tests;

internal static class TestEvents
{
    /// <summary>2025-01-15T10:00:00Z = 1,736,935,200 s after the epoch (20,103 days × 86,400 + 36,000).</summary>
    public static readonly DateTime T0 = new(2025, 1, 15, 10, 0, 0, DateTimeKind.Utc);

    public const long T0Nanos = 1_736_935_200_000_000_000;

    public static RequestEvent Request(
        int i = 0,
        string tenant = "acme",
        double? cost = null,
        string? requestId = null) =>
        new(
            TimestampUtc: T0.AddMilliseconds(i),
            Tenant: tenant,
            Tier: "pro",
            Provider: "openai",
            Model: "gpt-4o",
            Operation: "chat",
            UseCase: "support",
            Cache: "miss",
            InputTokens: i,
            CacheReadTokens: 0,
            CacheWriteTokens: 0,
            OutputTokens: 10,
            ReasoningTokens: 0,
            CostUsd: cost ?? i / 1024.0, // binary fractions: sums are exact in double
            LatencyMs: 100,
            RequestId: requestId ?? "req-" + i,
            TraceId: "trace-" + i,
            CostSource: "estimated");

    /// <summary>Σ i/1024 for i in [from, to): (to−from)(from+to−1)/2 / 1024, exact in double.</summary>
    public static double CostSum(int from, int to) => (to - from) * (long)(from + to - 1) / 2 / 1024.0;
}
