namespace UnitEconomics.Otel.Spans;

/// <summary>Why a GenAI span was rejected. Counted by reason; never an exception to the host.</summary>
public enum RejectReason : byte
{
    None,
    TokenNotNumeric,
    TokenNotInteger,
    TokenNotFinite,
    TokenNegative,
    CostInvalid,
    /// <summary>The span could not be read at all (an exception while reading it was contained).</summary>
    Unreadable,
}

public static class RejectReasonNames
{
    /// <summary>The <c>reason</c> label value for a rejection.</summary>
    public static string ToLabel(this RejectReason reason) => reason switch
    {
        RejectReason.TokenNotNumeric => "token_not_numeric",
        RejectReason.TokenNotInteger => "token_not_integer",
        RejectReason.TokenNotFinite => "token_not_finite",
        RejectReason.TokenNegative => "token_negative",
        RejectReason.CostInvalid => "cost_invalid",
        RejectReason.Unreadable => "unreadable",
        _ => "none",
    };
}
