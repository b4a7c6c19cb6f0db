using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// String attribute values kept as UTF-8 bytes until a span is replayed. Values unique per span (response,
/// conversation and tool-call ids) would otherwise be one string object each, alive for as long as the
/// trace waits to settle: every one survives a collection and is promoted. As bytes in a pooled array
/// they cost the GC nothing. In the attribute array such a value is a placeholder holding where its
/// bytes are; a span's <c>DeferredMask</c> says which of its first 64 attributes are placeholders.
/// </summary>
internal static class DeferredText
{
    /// <summary>Attributes past this index in a span are decoded at once (the mask has 64 bits).</summary>
    public const int MaxDeferredPerSpan = 64;

    public static AttributeValue Placeholder(int offset, int length) => AttributeValue.OfLong(((long)offset << 32) | (uint)length);

    public static (int Offset, int Length) Locate(in AttributeValue placeholder)
    {
        // A placeholder is a non-negative integer value; the token-count read hands its integer back as is.
        placeholder.TryGetTokenCount(out var packed, out _);
        return ((int)(packed >> 32), (int)(uint)packed);
    }

    /// <summary>The same placeholder moved by <paramref name="delta"/> bytes (its text copied elsewhere).</summary>
    public static AttributeValue Moved(in AttributeValue placeholder, int delta)
    {
        var (offset, length) = Locate(placeholder);
        return Placeholder(offset + delta, length);
    }

    public static bool IsDeferred(ulong mask, int index) => index < MaxDeferredPerSpan && ((mask >> index) & 1) != 0;

    /// <summary>The real value of attribute <paramref name="index"/> of a span: decoded from <paramref name="text"/> when deferred.</summary>
    public static AttributeValue Resolve(ulong mask, int index, in AttributeValue value, ReadOnlySpan<byte> text)
    {
        if (!IsDeferred(mask, index))
        {
            return value;
        }

        var (offset, length) = Locate(value);
        return AttributeValue.OfString(OtlpStrings.Decode(text.Slice(offset, length)));
    }
}
