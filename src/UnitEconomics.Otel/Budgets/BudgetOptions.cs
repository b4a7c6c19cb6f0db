namespace UnitEconomics.Otel.Budgets;

/// <summary>Limits; null means no limit.</summary>
public sealed class BudgetOptions
{
    /// <summary>Tokens one agent task may use (all calls under its root).</summary>
    public long? MaxTokensPerTask { get; set; }

    /// <summary>Tokens one conversation (<c>gen_ai.conversation.id</c>) may use.</summary>
    public long? MaxTokensPerSession { get; set; }

    /// <summary>USD one tenant may spend in a calendar month (UTC).</summary>
    public decimal? MaxUsdPerTenantPerMonth { get; set; }

    /// <summary>Sessions tracked at once; the least recently used go first past it.</summary>
    public int MaxTrackedSessions { get; set; } = 100_000;
}
