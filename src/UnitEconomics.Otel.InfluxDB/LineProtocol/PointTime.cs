using System.Buffers.Binary;
using System.Diagnostics;

namespace UnitEconomics.Otel.InfluxDB.LineProtocol;

/// <summary>
/// Point timestamps that keep calls apart. InfluxDB keeps one point per series and timestamp: two calls
/// with the same tags (parallel calls of one agent, a producer whose clock ticks in milliseconds) that
/// end in the same millisecond would overwrite each other, and no tag can tell them apart without
/// making series unbounded. So a point's time is its millisecond plus a number of nanoseconds taken
/// from its span id (0–999,999): the same on every instance and every retry (a resent span overwrites
/// itself instead of counting twice), different for two calls unless their span ids agree modulo one
/// million (one chance in a million for a pair in the same millisecond). The time moves by less than a
/// millisecond; nothing finer than a millisecond of the end time is kept.
/// </summary>
public static class PointTime
{
    private const long NanosPerMilli = 1_000_000;

    /// <summary>Nanoseconds since the Unix epoch for a point ending at <paramref name="unixNanos"/>, kept apart by <paramref name="seed"/> (0: unchanged).</summary>
    public static long Nanos(long unixNanos, ulong seed)
    {
        if (seed == 0)
        {
            return unixNanos;
        }

        var millisecond = unixNanos - ((unixNanos % NanosPerMilli + NanosPerMilli) % NanosPerMilli);
        return millisecond + (long)(seed % NanosPerMilli);
    }

    /// <summary>A trace id's low 64 bits as the seed (big-endian, as the id is written in hex): random in W3C ids.</summary>
    public static ulong SeedOf(ActivityTraceId traceId)
    {
        Span<byte> bytes = stackalloc byte[16];
        traceId.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
    }

    /// <summary>A span id's 64 bits as the seed (big-endian, as the id is written in hex).</summary>
    public static ulong SeedOf(ActivitySpanId spanId)
    {
        Span<byte> bytes = stackalloc byte[8];
        spanId.CopyTo(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}
