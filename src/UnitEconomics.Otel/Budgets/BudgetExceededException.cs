namespace UnitEconomics.Otel.Budgets;

/// <summary>Thrown by the budget chat-client middleware before a call that a spent budget forbids.</summary>
public sealed class BudgetExceededException : Exception
{
    public BudgetExceededException()
    {
    }

    public BudgetExceededException(string message)
        : base(message)
    {
    }

    public BudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BudgetExceededException(BudgetScope scope, string key, decimal limit, decimal used)
        : base($"The {scope.ToString().ToLowerInvariant()} budget of '{key}' is spent: {used} used of {limit}.")
    {
        this.Scope = scope;
        this.Key = key;
        this.Limit = limit;
        this.Used = used;
    }

    public BudgetScope Scope { get; }

    public string Key { get; } = string.Empty;

    public decimal Limit { get; }

    public decimal Used { get; }
}
