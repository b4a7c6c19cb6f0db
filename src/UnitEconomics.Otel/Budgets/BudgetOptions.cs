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

    /// <summary>
    /// Output tokens the budget middleware reserves for a call that sets no <c>MaxOutputTokens</c>: its
    /// worst case, held against the budgets until the call's real cost is known.
    /// </summary>
    public int DefaultReservedOutputTokens { get; set; } = 4_096;

    /// <summary>Sessions tracked at once; the least recently used go first past it.</summary>
    public int MaxTrackedSessions { get; set; } = 100_000;
}
