using UnitEconomics.Otel.InfluxDB.Events;

namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>What a <see cref="PendingEvent"/> holds.</summary>
internal enum PendingKind : byte
{
    Request,
    Task,
    UserRequest,
}

/// <summary>Any event type, held by value in the buffer so enqueuing allocates nothing.</summary>
internal readonly struct PendingEvent
{
    public readonly RequestEvent Request;
    public readonly AgentTaskEvent Task;
    public readonly UserRequestEvent UserRequest;
    public readonly PendingKind Kind;

    public PendingEvent(in RequestEvent request)
    {
        this.Request = request;
        this.Kind = PendingKind.Request;
    }

    public PendingEvent(in AgentTaskEvent task)
    {
        this.Task = task;
        this.Kind = PendingKind.Task;
    }

    public PendingEvent(in UserRequestEvent request)
    {
        this.UserRequest = request;
        this.Kind = PendingKind.UserRequest;
    }
}
