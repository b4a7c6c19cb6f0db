namespace UnitEconomics.Cli.Commands;

/// <summary>
/// A command line that parsed but does not make sense (e.g. <c>--from</c> after <c>--to</c>); the message
/// says what to type instead. Exit code 2, like a parse error.
/// </summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
