namespace UnitEconomics.Books.Revenue;

/// <summary>
/// The billing source could not be read or its answer could not be used. The message is one line that
/// says which source, which request and what to do; it never contains the secret key.
/// </summary>
public sealed class RevenueSourceException : Exception
{
    public RevenueSourceException()
    {
    }

    public RevenueSourceException(string message)
        : base(message)
    {
    }

    public RevenueSourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
