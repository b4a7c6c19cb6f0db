using System.Collections.Concurrent;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Requests;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Budgets;

namespace UnitEconomics.TestSupport;

/// <summary>Keeps everything the engine reports, for assertions with exact decimal values.</summary>
public sealed class RecordingSink : ICostSink
{
    public ConcurrentQueue<CallCostRecord> Calls { get; } = new();

    public ConcurrentQueue<GenAiCall> Unpriced { get; } = new();

    public ConcurrentQueue<AgentTaskSummary> Tasks { get; } = new();

    public ConcurrentQueue<BudgetExceeded> Budgets { get; } = new();

    public ConcurrentQueue<RejectReason> Rejected { get; } = new();

    public ConcurrentQueue<UserRequestSummary> Requests { get; } = new();

    public int Overflows => this.overflows;

    private int overflows;

    public void OnCall(in CallCost call) => this.Calls.Enqueue(call.ToRecord());

    public void OnUnpriced(in GenAiCall call) => this.Unpriced.Enqueue(call);

    public void OnAgentTask(in AgentTaskSummary task) => this.Tasks.Enqueue(task);

    public void OnBudgetExceeded(in BudgetExceeded exceeded) => this.Budgets.Enqueue(exceeded);

    public void OnRejected(RejectReason reason) => this.Rejected.Enqueue(reason);

    public void OnTenantOverflow() => Interlocked.Increment(ref this.overflows);

    public void OnUserRequest(in UserRequestSummary request) => this.Requests.Enqueue(request);
}
