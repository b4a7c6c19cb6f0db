using UnitEconomics.Otel.InfluxDB.Events;

namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>Either event type, held by value in the buffer so enqueuing allocates nothing.</summary>
internal readonly struct PendingEvent
{
    public readonly RequestEvent Request;
    public readonly AgentTaskEvent Task;
    public readonly bool IsTask;

    public PendingEvent(in RequestEvent request)
    {
        this.Request = request;
        this.Task = default;
        this.IsTask = false;
    }

    public PendingEvent(in AgentTaskEvent task)
    {
        this.Request = default;
        this.Task = task;
        this.IsTask = true;
    }
}
