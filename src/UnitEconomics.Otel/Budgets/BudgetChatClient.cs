using System.Diagnostics;
using Microsoft.Extensions.AI;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Otel.Budgets;

/// <summary>
/// Chat-client middleware that refuses the next call of an agent task, conversation or tenant whose
/// budget is already spent, with <see cref="BudgetExceededException"/>: it stops a looping agent
/// before it spends more. Place it outside the OpenTelemetry client so a refused call makes no span.
/// </summary>
public sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly CostEngine engine;

    public BudgetChatClient(IChatClient innerClient, CostEngine engine)
        : base(innerClient)
    {
        this.engine = engine;
    }

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        this.ThrowIfOverBudget(options);
        return base.GetResponseAsync(messages, options, cancellationToken);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        this.ThrowIfOverBudget(options);
        return base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private void ThrowIfOverBudget(ChatOptions? options)
    {
        var current = Activity.Current;
        var budgets = this.engine.Options.Budgets;
        if (budgets.MaxTokensPerTask is null && budgets.MaxTokensPerSession is null && budgets.MaxUsdPerTenantPerMonth is null)
        {
            return;
        }

        // The calls that ended before this one count, even those still waiting for the pricing thread.
        this.engine.PricePending();
        if (current is not null && budgets.MaxTokensPerTask is { } taskLimit && FindTaskRoot(current) is { } root
            && this.engine.IsTaskOverBudget(new TaskKey(current.TraceId, root), out var taskTokens))
        {
            throw new BudgetExceededException(BudgetScope.Task, root.ToHexString(), taskLimit, taskTokens);
        }

        var session = options?.ConversationId;
        if (session is not null && budgets.MaxTokensPerSession is { } sessionLimit && this.engine.Budgets.IsSessionOverBudget(session, out var sessionUsed))
        {
            throw new BudgetExceededException(BudgetScope.Session, session, sessionLimit, sessionUsed);
        }

        if (current is not null && budgets.MaxUsdPerTenantPerMonth is { } tenantLimit)
        {
            foreach (var key in this.engine.Options.Spans.EffectiveTenantKeys)
            {
                var tenant = current.GetBaggageItem(key) ?? current.GetTagItem(key) as string;
                if (tenant is not null && this.engine.Budgets.IsTenantOverBudget(tenant, DateTime.UtcNow, out var spent))
                {
                    throw new BudgetExceededException(BudgetScope.Tenant, tenant, tenantLimit, spent);
                }
            }
        }
    }

    /// <summary>The outermost task root among the current activity and its parents.</summary>
    private static ActivitySpanId? FindTaskRoot(Activity current)
    {
        ActivitySpanId? root = null;
        for (var a = current; a is not null; a = a.Parent)
        {
            if (ActivityAncestry.ReadTaskRoot(a).IsTaskRoot)
            {
                root = a.SpanId;
            }
        }

        return root;
    }
}

/// <summary>Builder extension beside its decorator, as Microsoft.Extensions.AI does.</summary>
public static class BudgetChatClientBuilderExtensions
{
    /// <summary>
    /// Refuses calls whose task, session or tenant budget is spent. The engine comes from
    /// <paramref name="engine"/> or, when null, from the builder's service provider.
    /// </summary>
    public static ChatClientBuilder UseUnitEconomicsBudget(this ChatClientBuilder builder, CostEngine? engine = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new BudgetChatClient(inner, engine ?? (CostEngine?)services.GetService(typeof(CostEngine))
                ?? throw new InvalidOperationException("No CostEngine: pass one, or register it with AddUnitEconomics.")));
    }
}
