using System.Buffers.Binary;
using System.Diagnostics;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// A 16-byte trace id as two integers (the bytes in wire order: <see cref="High"/> holds bytes 0–7).
/// Compared and hashed as values; <see cref="ToActivityTraceId"/> makes the hex-string form the engine
/// takes, only when a span is handed to it. Default is "none" (a valid trace id is never all zero).
/// </summary>
internal readonly record struct RawTraceId(ulong High, ulong Low)
{
    public static RawTraceId From(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, this.High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], this.Low);
    }

    public ActivityTraceId ToActivityTraceId()
    {
        if (this == default)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[16];
        this.CopyTo(bytes);
        return ActivityTraceId.CreateFromBytes(bytes);
    }
}

/// <summary>
/// An 8-byte span id as an integer (big-endian: the bytes in wire order) and whether there is one: an
/// absent parent and a parent of eight zero bytes differ (only the first makes a root), as they do for
/// <see cref="ActivitySpanId"/>.
/// </summary>
internal readonly record struct RawSpanId(ulong Value, bool Present)
{
    public static RawSpanId From(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt64BigEndian(bytes), true);

    public ActivitySpanId ToActivitySpanId()
    {
        if (!this.Present)
        {
            return default;
        }

        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, this.Value);
        return ActivitySpanId.CreateFromBytes(bytes);
    }
}
