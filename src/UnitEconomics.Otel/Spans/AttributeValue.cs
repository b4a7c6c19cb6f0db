using System.Globalization;

namespace UnitEconomics.Otel.Spans;

/// <summary>The kinds of attribute value a span can carry that the engine reads.</summary>
public enum AttributeKind : byte
{
    None,
    String,
    Bool,
    Long,
    Double,
    /// <summary>Any other value (arrays, maps, bytes, unknown CLR types): never a valid token count.</summary>
    Other,
}

/// <summary>
/// One attribute value without boxing, so both an <see cref="System.Diagnostics.Activity"/> tag and a
/// decoded OTLP <c>AnyValue</c> can be handed to the normalizer on the hot path.
/// </summary>
public readonly struct AttributeValue
{
    // One 8-byte slot holds either the integer or the double's bits: the struct stays at 24 bytes.
    private readonly long bits;

    private AttributeValue(AttributeKind kind, string? text, long integer, double number)
    {
        this.Kind = kind;
        this.Text = text;
        this.bits = kind == AttributeKind.Double ? BitConverter.DoubleToInt64Bits(number) : integer;
    }

    private long Integer => this.bits;

    private double Number => BitConverter.Int64BitsToDouble(this.bits);

    public AttributeKind Kind { get; }

    public string? Text { get; }

    public static AttributeValue OfString(string? value) => value is null ? default : new(AttributeKind.String, value, 0, 0);

    public static AttributeValue OfLong(long value) => new(AttributeKind.Long, null, value, 0);

    public static AttributeValue OfDouble(double value) => new(AttributeKind.Double, null, 0, value);

    public static AttributeValue OfBool(bool value) => new(AttributeKind.Bool, null, value ? 1 : 0, 0);

    public static AttributeValue OfOther() => new(AttributeKind.Other, null, 0, 0);

    /// <summary>Maps the CLR types <see cref="System.Diagnostics.Activity"/> tags hold without allocating.</summary>
    public static AttributeValue FromObject(object? value) => value switch
    {
        null => default,
        string s => OfString(s),
        int i => OfLong(i),
        long l => OfLong(l),
        double d => OfDouble(d),
        bool b => OfBool(b),
        float f => OfDouble(f),
        short s16 => OfLong(s16),
        uint u32 => OfLong(u32),
        byte b8 => OfLong(b8),
        decimal m => OfDouble((double)m),
        ulong u64 when u64 <= long.MaxValue => OfLong((long)u64),
        _ => OfOther(),
    };

    public bool IsPresent => this.Kind != AttributeKind.None;

    /// <summary>A label-like value: strings as they are, other scalars in invariant text.</summary>
    public string? AsString() => this.Kind switch
    {
        AttributeKind.String => this.Text,
        AttributeKind.Long => this.Integer.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Bool => this.Integer != 0 ? "true" : "false",
        AttributeKind.Double => this.Number.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>True for a boolean true, or the strings "true"/"1" (producers that stringify everything).</summary>
    public bool IsTrue() => this.Kind switch
    {
        AttributeKind.Bool => this.Integer != 0,
        AttributeKind.Long => this.Integer != 0,
        AttributeKind.String => string.Equals(this.Text, "true", StringComparison.OrdinalIgnoreCase) || this.Text == "1",
        _ => false,
    };

    /// <summary>
    /// Reads a token count: int, long, an integral double, or a decimal string. Anything else,
    /// negative, fractional or non-finite fails with the reason.
    /// </summary>
    public bool TryGetTokenCount(out long count, out RejectReason reason)
    {
        count = 0;
        reason = RejectReason.None;
        switch (this.Kind)
        {
            case AttributeKind.Long:
                count = this.Integer;
                break;
            case AttributeKind.Double:
                if (!double.IsFinite(this.Number))
                {
                    reason = RejectReason.TokenNotFinite;
                    return false;
                }

                if (this.Number != Math.Floor(this.Number) || Math.Abs(this.Number) > 9.0e15)
                {
                    reason = RejectReason.TokenNotInteger;
                    return false;
                }

                count = (long)this.Number;
                break;
            case AttributeKind.String:
                if (!long.TryParse(this.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count))
                {
                    if (double.TryParse(this.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                    {
                        return OfDouble(d).TryGetTokenCount(out count, out reason);
                    }

                    reason = RejectReason.TokenNotNumeric;
                    return false;
                }

                break;
            default:
                reason = RejectReason.TokenNotNumeric;
                return false;
        }

        if (count < 0)
        {
            reason = RejectReason.TokenNegative;
            return false;
        }

        return true;
    }

    /// <summary>Reads a money amount (a reported cost): finite and not negative.</summary>
    public bool TryGetAmount(out decimal amount, out RejectReason reason)
    {
        amount = 0;
        reason = RejectReason.None;
        double value;
        switch (this.Kind)
        {
            case AttributeKind.Long:
                value = this.Integer;
                break;
            case AttributeKind.Double:
                value = this.Number;
                break;
            case AttributeKind.String when decimal.TryParse(this.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                if (parsed < 0)
                {
                    reason = RejectReason.CostInvalid;
                    return false;
                }

                amount = parsed;
                return true;
            default:
                reason = RejectReason.CostInvalid;
                return false;
        }

        if (!double.IsFinite(value) || value < 0 || value > 7.9e27)
        {
            reason = RejectReason.CostInvalid;
            return false;
        }

        amount = (decimal)value;
        return true;
    }
}
