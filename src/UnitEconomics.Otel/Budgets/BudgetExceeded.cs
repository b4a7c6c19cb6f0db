namespace UnitEconomics.Otel.Budgets;

/// <summary>What a budget limits.</summary>
public enum BudgetScope : byte
{
    Task,
    Session,
    Tenant,
}

/// <summary>A budget went over its limit (raised once per task, session, or tenant and month).</summary>
public readonly record struct BudgetExceeded(BudgetScope Scope, string Key, string TenantLabel, string Tier, string UseCase, decimal Limit, decimal Used)
{
    public string ScopeLabel => this.Scope switch
    {
        BudgetScope.Task => "task",
        BudgetScope.Session => "session",
        _ => "tenant",
    };
}
