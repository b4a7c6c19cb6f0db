namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>
/// A bounded FIFO of pending events that drops the oldest when full, and keeps the exact fate of every
/// event. The sender reads a batch from the front without removing it (<see cref="PeekBatch"/>), so a
/// batch that fails to send is still in the buffer and still subject to the capacity: what survives an
/// outage is always the newest <c>capacity</c> events.
/// </summary>
/// <remarks>
/// Events are numbered in arrival order. An event pushed out while it is part of the batch being sent
/// has been written if that batch succeeds, so it is counted as dropped only if the attempt fails.
/// The lock is held for a struct copy on the write side and for one array copy on the send side.
/// </remarks>
internal sealed class EventBuffer
{
    private const int InitialSize = 1024;

    private readonly Lock gate = new();
    private readonly int capacity;
    private PendingEvent[] items;
    private int head;
    private int count;
    private long headSequence;
    private long inFlightEnd;
    private long evictedInFlight;
    private long written;
    private long failed;
    private long dropped;

    public EventBuffer(int capacity)
    {
        this.capacity = capacity;
        this.items = new PendingEvent[Math.Min(capacity, InitialSize)];
    }

    public int Count => Volatile.Read(ref this.count);

    public long Written => Interlocked.Read(ref this.written);

    public long Failed => Interlocked.Read(ref this.failed);

    public long Dropped => Interlocked.Read(ref this.dropped);

    /// <summary>Sequence number of the oldest event still held (all before it have met their fate).</summary>
    public long HeadSequence
    {
        get
        {
            lock (this.gate)
            {
                return this.headSequence;
            }
        }
    }

    /// <summary>Sequence number the next event will get.</summary>
    public long TailSequence
    {
        get
        {
            lock (this.gate)
            {
                return this.headSequence + this.count;
            }
        }
    }

    /// <summary>Appends, pushing out the oldest when full. Returns the depth after the append.</summary>
    public int Add(in PendingEvent e)
    {
        lock (this.gate)
        {
            if (this.count == this.capacity)
            {
                this.items[this.head] = default;
                this.head = (this.head + 1) % this.items.Length;
                this.count--;
                if (this.headSequence < this.inFlightEnd)
                {
                    this.evictedInFlight++;
                }
                else
                {
                    this.dropped++;
                }

                this.headSequence++;
            }
            else if (this.count == this.items.Length)
            {
                this.Grow();
            }

            this.items[(this.head + this.count) % this.items.Length] = e;
            return ++this.count;
        }
    }

    /// <summary>Copies up to <c>batch.Length</c> events from the front into <paramref name="batch"/>, leaving them held.</summary>
    public int PeekBatch(PendingEvent[] batch, out long firstSequence)
    {
        lock (this.gate)
        {
            var n = Math.Min(this.count, batch.Length);
            var first = Math.Min(n, this.items.Length - this.head);
            Array.Copy(this.items, this.head, batch, 0, first);
            Array.Copy(this.items, 0, batch, first, n - first);
            firstSequence = this.headSequence;
            this.inFlightEnd = this.headSequence + n;
            this.evictedInFlight = 0;
            return n;
        }
    }

    /// <summary>The batch from <see cref="PeekBatch"/> reached the server: written, or refused for good.</summary>
    public void Complete(long firstSequence, int n, bool accepted)
    {
        lock (this.gate)
        {
            var end = firstSequence + n;
            if (end > this.headSequence)
            {
                this.RemoveFront((int)(end - this.headSequence));
            }

            if (accepted)
            {
                this.written += n;
            }
            else
            {
                this.failed += n;
            }

            this.inFlightEnd = 0;
            this.evictedInFlight = 0;
        }
    }

    /// <summary>The batch from <see cref="PeekBatch"/> did not reach the server; it stays (minus what was pushed out meanwhile).</summary>
    public void Abandon()
    {
        lock (this.gate)
        {
            this.dropped += this.evictedInFlight;
            this.inFlightEnd = 0;
            this.evictedInFlight = 0;
        }
    }

    /// <summary>Counts everything still held as dropped and empties the buffer (shutdown).</summary>
    public int DropAll()
    {
        lock (this.gate)
        {
            var n = this.count;
            this.dropped += n + this.evictedInFlight;
            this.RemoveFront(n);
            this.inFlightEnd = 0;
            this.evictedInFlight = 0;
            return n;
        }
    }

    private void RemoveFront(int n)
    {
        for (var i = 0; i < n; i++)
        {
            // Clear the slot so the strings it held can be collected.
            this.items[this.head] = default;
            this.head = (this.head + 1) % this.items.Length;
        }

        this.count -= n;
        this.headSequence += n;
    }

    private void Grow()
    {
        var next = new PendingEvent[(int)Math.Min((long)this.items.Length * 2, this.capacity)];
        var first = Math.Min(this.count, this.items.Length - this.head);
        Array.Copy(this.items, this.head, next, 0, first);
        Array.Copy(this.items, 0, next, first, this.count - first);
        this.items = next;
        this.head = 0;
    }
}
