using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.InfluxDB.Events;
using UnitEconomics.Otel.InfluxDB.LineProtocol;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Requests;

namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>
/// The engine's per-request and per-task events as InfluxDB points (DESIGN §5): one <c>ai_request</c>
/// point per priced call, one <c>ai_agent_task</c> point per closed task, one <c>ai_user_request</c> point
/// per user request. Enqueues only; the
/// <see cref="InfluxDbEventSink"/> batches and writes in the background.
/// </summary>
public sealed class InfluxDbCostSink : ICostSink
{
    private readonly InfluxDbEventSink events;

    public InfluxDbCostSink(InfluxDbEventSink events)
    {
        this.events = events;
    }

    public InfluxDbEventSink Events => this.events;

    public void OnCall(in CallCost call)
    {
        ref readonly var c = ref call;
        var parts = c.Call.Parts;
        this.events.TryWrite(new RequestEvent(
            c.Call.EndTimeUtc, c.TenantLabel, c.Tier, c.Call.Provider, c.Call.Model, c.Call.Operation, c.Call.UseCase, c.CacheLabel,
            parts.UncachedInput, parts.CacheRead, parts.CacheWrite, parts.Output, parts.Reasoning,
            (double)c.Cost.Total, c.Call.DurationMs, c.Call.ResponseId, c.Call.TraceId.ToHexString(), CostBreakdown.SourceLabel(c.Cost.Source))
        {
            PointSeed = PointTime.SeedOf(c.Call.SpanId),
        });
    }

    public void OnAgentTask(in AgentTaskSummary task) =>
        this.events.TryWrite(new AgentTaskEvent(
            task.EndUtc, task.TenantLabel, task.Tier, task.Agent, task.UseCase, task.Outcome, task.ModelCalls, task.ToolCalls, task.FailedCalls,
            task.Tokens, (double)task.CostUsd, (task.EndUtc - task.StartUtc).TotalMilliseconds, task.TraceId.ToHexString())
        {
            PointSeed = PointTime.SeedOf(task.RootSpanId),
        });

    public void OnUserRequest(in UserRequestSummary request) =>
        this.events.TryWrite(new UserRequestEvent(
            request.EndUtc, request.TenantLabel, request.Tier, request.UseCase, request.Shape, request.Calls, request.InferenceCalls,
            request.RetrievalCalls, (double)request.CostUsd, (request.EndUtc - request.StartUtc).TotalMilliseconds, request.TraceId.ToHexString())
        {
            // In the service the trace is the request (no root span id): the trace id's own random bits keep points apart.
            PointSeed = request.RootSpanId != default ? PointTime.SeedOf(request.RootSpanId) : PointTime.SeedOf(request.TraceId),
        });

    public void OnUnpriced(in GenAiCall call)
    {
    }

    public void OnBudgetExceeded(in BudgetExceeded exceeded)
    {
    }

    public void OnRejected(RejectReason reason)
    {
    }

    public void OnTenantOverflow()
    {
    }
}

/// <summary>Registration of the InfluxDB event sink.</summary>
public static class InfluxDbRegistrationExtensions
{
    /// <summary>Writes per-request and per-task events to InfluxDB (1.x <c>/write</c> or 2.x/3.x <c>/api/v2/write</c>).</summary>
    public static IServiceCollection AddUnitEconomicsInfluxDb(this IServiceCollection services, InfluxDbOptions options)
    {
        services.AddSingleton(sp => new InfluxDbEventSink(options, sp.GetService<ILoggerFactory>()?.CreateLogger("UnitEconomics.Otel.InfluxDB")));
        services.AddSingleton(sp => new InfluxDbCostSink(sp.GetRequiredService<InfluxDbEventSink>()));
        services.AddSingleton<ICostSink>(sp => sp.GetRequiredService<InfluxDbCostSink>());
        return services;
    }

    /// <inheritdoc cref="AddUnitEconomicsInfluxDb(IServiceCollection, InfluxDbOptions)"/>
    public static TracerProviderBuilder AddUnitEconomicsInfluxDb(this TracerProviderBuilder builder, InfluxDbOptions options) =>
        builder.ConfigureServices(services => services.AddUnitEconomicsInfluxDb(options));
}
