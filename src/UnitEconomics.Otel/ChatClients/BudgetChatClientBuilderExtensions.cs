using UnitEconomics.Otel.ChatClients;
using UnitEconomics.Otel.Engine;

// In the namespace of the builder it extends, as Microsoft.Extensions.AI's own Use* extensions are.
namespace Microsoft.Extensions.AI;

/// <summary>Builder extension beside its decorator, as Microsoft.Extensions.AI does.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Reserves each call's worst case against its task, session and tenant budgets and refuses calls
    /// that a spent budget forbids. The engine comes from <paramref name="engine"/> or, when null, from
    /// the builder's service provider; <paramref name="time"/> (the tenant budget's month) from the system clock when null.
    /// </summary>
    public static ChatClientBuilder UseUnitEconomicsBudget(this ChatClientBuilder builder, CostEngine? engine = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new BudgetChatClient(inner, engine ?? (CostEngine?)services.GetService(typeof(CostEngine))
                ?? throw new InvalidOperationException("No CostEngine: pass one, or register it with AddUnitEconomics."), time));
    }
}
