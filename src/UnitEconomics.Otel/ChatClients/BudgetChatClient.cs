using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.ChatClients;

/// <summary>
/// Chat-client middleware that holds budgets under concurrency: before each call it reserves the call's
/// worst case (its <c>MaxOutputTokens</c>, else <see cref="BudgetOptions.DefaultReservedOutputTokens"/>;
/// in USD at the model's output price) against the agent task's, the conversation's and the tenant's
/// budgets, and refuses the call with <see cref="BudgetExceededException"/> when what is spent and
/// reserved already reaches a limit. After the call, once its span is priced, the reservation is
/// released: the budget then holds the actual cost. N concurrent calls can therefore pass a budget by
/// at most one reservation, not by N calls. Place it outside the OpenTelemetry client so a refused
/// call makes no span.
/// </summary>
public sealed class BudgetChatClient : DelegatingChatClient
{
    private readonly CostEngine engine;
    private readonly TimeProvider time;

    public BudgetChatClient(IChatClient innerClient, CostEngine engine, TimeProvider? time = null)
        : base(innerClient)
    {
        this.engine = engine;
        this.time = time ?? TimeProvider.System;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var reservation = this.Reserve(options);
        return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reservation = this.Reserve(options);
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private Reservation Reserve(ChatOptions? options)
    {
        var budgets = this.engine.Options.Budgets;
        var reservation = new Reservation(this.engine);
        if (budgets.MaxTokensPerTask is null && budgets.MaxTokensPerSession is null && budgets.MaxUsdPerTenantPerMonth is null)
        {
            return reservation;
        }

        // The calls that ended before this one count, even those still waiting for the pricing thread.
        this.engine.PricePending();
        var current = Activity.Current;
        long tokens = options?.MaxOutputTokens ?? budgets.DefaultReservedOutputTokens;
        try
        {
            if (current is not null && budgets.MaxTokensPerTask is { } taskLimit && FindTaskRoot(current) is { } root)
            {
                var key = new TaskKey(current.TraceId, root);
                var engine = this.engine;
                if (!engine.Budgets.TryReserveTask(key, tokens, () => engine.TaskTokens(key), out var used))
                {
                    throw new BudgetExceededException(BudgetScope.Task, root.ToHexString(), taskLimit, used);
                }

                reservation.Task = (key, tokens);
            }

            if (options?.ConversationId is { } session && budgets.MaxTokensPerSession is { } sessionLimit)
            {
                if (!this.engine.Budgets.TryReserveSession(session, tokens, out var used))
                {
                    throw new BudgetExceededException(BudgetScope.Session, session, sessionLimit, used);
                }

                reservation.Session = (session, tokens);
            }

            if (current is not null && budgets.MaxUsdPerTenantPerMonth is { } tenantLimit && this.FindTenant(current) is { } tenant)
            {
                var now = this.time.GetUtcNow();
                var usd = this.WorstCaseUsd(options, tokens, now);
                if (!this.engine.Budgets.TryReserveTenant(tenant, usd, now.UtcDateTime, out var spent))
                {
                    throw new BudgetExceededException(BudgetScope.Tenant, tenant, tenantLimit, spent);
                }

                reservation.Tenant = (tenant, usd);
            }
        }
        catch
        {
            reservation.Dispose();
            throw;
        }

        return reservation;
    }

    private string? FindTenant(Activity current)
    {
        foreach (var key in this.engine.Options.Spans.EffectiveTenantKeys)
        {
            if ((current.GetBaggageItem(key) ?? current.GetTagItem(key) as string) is { Length: > 0 } tenant)
            {
                return tenant;
            }
        }

        return null;
    }

    /// <summary>
    /// The output side, priced by the engine's rules (<see cref="CallPricer"/>) as a call that would
    /// answer with <paramref name="outputTokens"/>: the input is not known before the call, the output is bounded.
    /// </summary>
    private decimal WorstCaseUsd(ChatOptions? options, long outputTokens, DateTimeOffset now)
    {
        var metadata = this.GetService<ChatClientMetadata>();
        if ((options?.ModelId ?? metadata?.DefaultModelId) is not { } model)
        {
            return 0m; // no model named: only what is already spent can refuse the call
        }

        var call = new GenAiCall
        {
            Operation = GenAiAttributes.Operations.Chat,
            Kind = OperationKind.Inference,
            Provider = this.engine.Normalizer.Label(SpanNormalizer.NormalizeProvider(metadata?.ProviderName)),
            Model = this.engine.Normalizer.Label(model),
            HasTokens = true,
            OutputTokens = outputTokens,
            Tenant = SpanNormalizer.Unknown,
            UseCase = SpanNormalizer.Unknown,
            StartTimeUtc = now.UtcDateTime,
            EndTimeUtc = now.UtcDateTime,
        };

        // An unpriced model costs nothing known (Total 0): only what is already spent can refuse it.
        return CallPricer.Price(this.engine.Catalog, call).Total;
    }

    /// <summary>The outermost task root among the current activity and its parents.</summary>
    private ActivitySpanId? FindTaskRoot(Activity current)
    {
        ActivitySpanId? root = null;
        for (var a = current; a is not null; a = a.Parent)
        {
            if (this.engine.Normalizer.StartsTask(a, out _))
            {
                root = a.SpanId;
            }
        }

        return root;
    }

    /// <summary>What one call holds; disposing settles it: the call's span is priced, then the holds are released.</summary>
    private sealed class Reservation(CostEngine engine) : IDisposable
    {
        public (TaskKey Key, long Tokens)? Task { get; set; }

        public (string Session, long Tokens)? Session { get; set; }

        public (string Tenant, decimal Usd)? Tenant { get; set; }

        public void Dispose()
        {
            if (this.Task is null && this.Session is null && this.Tenant is null)
            {
                return;
            }

            // The call's span ended inside the inner client: its real cost joins the budgets before the
            // hold goes, so the budget never looks emptier than it is.
            engine.PricePending();
            if (this.Task is { } task)
            {
                engine.Budgets.ReleaseTask(task.Key, task.Tokens);
            }

            if (this.Session is { } session)
            {
                engine.Budgets.ReleaseSession(session.Session, session.Tokens);
            }

            if (this.Tenant is { } tenant)
            {
                engine.Budgets.ReleaseTenant(tenant.Tenant, tenant.Usd);
            }

            this.Task = null;
            this.Session = null;
            this.Tenant = null;
        }
    }
}
