namespace UnitEconomics.Otel.Engine;

/// <summary>
/// Per-sink state kept on a label set the engine resolved once (<see cref="CallLabelSet"/>,
/// <see cref="TenantLabelSet"/>), so a sink finds its cached metric children for a call's labels with a
/// reference compare instead of a dictionary lookup per call. A speed trick of the engine and the sinks
/// that need it (internal; the Prometheus sink sees it through InternalsVisibleTo): the sink contract
/// itself carries label values only.
/// </summary>
/// <remarks>
/// The engine hands out the same handle for the same labels while they stay in its tables, but that is
/// an optimization, not a promise: past its table bounds, or after a tenant directory reload, two
/// handles may carry equal labels. A sink must therefore build its state idempotently (look the labels
/// up in its own map the first time it meets a handle), never assume one handle per label set.
/// </remarks>
internal sealed class SeriesHandle
{
    private Attachment[] attachments = [];

    /// <summary>The state <paramref name="owner"/> attached to this handle, or null if none yet.</summary>
    public TState? StateOf<TState>(object owner)
        where TState : class
    {
        var list = Volatile.Read(ref this.attachments);
        for (var i = 0; i < list.Length; i++)
        {
            if (ReferenceEquals(list[i].Owner, owner))
            {
                return (TState)list[i].State;
            }
        }

        return null;
    }

    /// <summary>
    /// Attaches <paramref name="state"/> for <paramref name="owner"/>, unless another thread attached one
    /// first: the state that won is returned, and every caller must use that one.
    /// </summary>
    public TState Attach<TState>(object owner, TState state)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(state);
        while (true)
        {
            var list = Volatile.Read(ref this.attachments);
            if (this.StateOf<TState>(owner) is { } existing)
            {
                return existing;
            }

            // Copy on write: a handle gets one attachment per sink, once, so readers never take a lock.
            Attachment[] next = [.. list, new Attachment(owner, state)];
            if (ReferenceEquals(Interlocked.CompareExchange(ref this.attachments, next, list), list))
            {
                return state;
            }
        }
    }

    private readonly record struct Attachment(object Owner, object State);
}
