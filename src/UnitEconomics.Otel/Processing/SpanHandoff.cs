using System.Diagnostics;
using System.Runtime.InteropServices;
using UnitEconomics.Otel.Diagnostics;
using UnitEconomics.Otel.Engine;

namespace UnitEconomics.Otel.Processing;

/// <summary>
/// Hands ended GenAI spans from the app's threads to one pricing thread, so a span's end costs the app
/// a slot in a ring, not the pricing. The ring is bounded and holds references only: a producer claims
/// a slot with one compare-and-swap and stores the span; the pricer takes slots in claim order. Spans
/// are priced in the order they ended, so a task's calls are added before its root closes it.
/// Whoever prices (the thread, or a caller of <see cref="PricePending"/> before a scrape or a budget
/// check) holds one lock while it drains, so spans are priced once and in order. When the ring is full
/// the ending thread drains it and prices its own span: no span is dropped, the app is slowed instead.
/// </summary>
internal sealed class SpanHandoff : IPendingSpans, IDisposable
{
    /// <summary>
    /// One producer in this many wakes the thread; below that rate the thread's timed wait picks spans
    /// up. After a wait that found nothing the thread parks without a timeout, and the next span wakes
    /// it: an app with no GenAI traffic pays no wake-ups.
    /// </summary>
    private const int WakeEvery = 256;

    /// <summary>How long a span waits at most when fewer than <see cref="WakeEvery"/> end in a row.</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(100);

    private readonly Activity?[] slots;
    private readonly long mask;
    private readonly CostEngine engine;
    private IReadOnlyDictionary<string, object>? resource;
    private readonly object drainLock = new();
    // No spinning before blocking: the thread waits for a batch or its timeout, never for a moment.
    private readonly ManualResetEventSlim wake = new(false, spinCount: 0);
    private readonly Thread thread;
    private Positions at;
    private long pricedByEndingThread;
    private volatile bool stopping;

    public SpanHandoff(int capacity, CostEngine engine)
    {
        var size = (int)Math.Min(1 << 24, Math.Max(WakeEvery * 2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, capacity))));
        this.slots = new Activity?[size];
        this.mask = size - 1;
        this.engine = engine;
        this.thread = new Thread(this.Run) { IsBackground = true, Name = "UnitEconomics pricing" };
        this.thread.Start();
    }

    public int Capacity => this.slots.Length;

    /// <summary>The tracer provider's resource, set by the processor once it knows it (before the first span is added).</summary>
    public IReadOnlyDictionary<string, object>? Resource
    {
        get => Volatile.Read(ref this.resource);
        set => Volatile.Write(ref this.resource, value);
    }

    /// <summary>Whether the thread waits without a timeout for the next span (it found nothing last time).</summary>
    public bool IsParked => Volatile.Read(ref this.at.Parked) != 0;

    /// <summary>Spans priced on the thread that ended them because the ring was full (or the pricer had stopped).</summary>
    public long PricedByEndingThread => Interlocked.Read(ref this.pricedByEndingThread);

    /// <summary>Queues <paramref name="span"/> for pricing; when the ring is full, prices what is queued and then it, here.</summary>
    public void Add(Activity span)
    {
        if (!this.stopping && this.TryAdd(span))
        {
            if (this.stopping)
            {
                // Stop may have drained before this span was stored: drain again rather than leave it behind.
                this.PricePending();
            }

            return;
        }

        this.PriceHere(span);
    }

    /// <summary>Prices every span queued before this call, on the calling thread; returns when they are priced.</summary>
    public void PricePending()
    {
        lock (this.drainLock)
        {
            this.DrainLocked();
        }
    }

    /// <summary>Stops the thread after it priced every queued span; later spans are priced by the thread that ends them.</summary>
    public bool Stop(int timeoutMilliseconds)
    {
        this.stopping = true;
        this.wake.Set();
        var stopped = this.thread == Thread.CurrentThread || this.thread.Join(timeoutMilliseconds < 0 ? Timeout.Infinite : timeoutMilliseconds);
        this.PricePending();
        return stopped;
    }

    /// <summary>
    /// Stops the thread. The event is left undisposed on purpose: it holds no OS handle, and a span
    /// ending during shutdown may still set it.
    /// </summary>
    public void Dispose() => this.Stop(Timeout.Infinite);

    private bool TryAdd(Activity span)
    {
        var claimed = Volatile.Read(ref this.at.Head);
        while (true)
        {
            // The producers' copy of the tail is on their own cache line; the pricer's tail is read only
            // when the ring looks full, so producers and pricer do not pass one line back and forth per span.
            if (claimed - Volatile.Read(ref this.at.TailSeen) >= this.slots.Length)
            {
                var tail = Volatile.Read(ref this.at.Tail);
                Volatile.Write(ref this.at.TailSeen, tail); // an older value is harmless: the ring only looks fuller
                if (claimed - tail >= this.slots.Length)
                {
                    return false;
                }
            }

            var seen = Interlocked.CompareExchange(ref this.at.Head, claimed + 1, claimed);
            if (seen == claimed)
            {
                break;
            }

            claimed = seen;
        }

        Volatile.Write(ref this.slots[claimed & this.mask], span);
        if ((claimed & (WakeEvery - 1)) == WakeEvery - 1 || Volatile.Read(ref this.at.Parked) != 0)
        {
            // Setting an event nobody waits on is a flag write; the thread is woken at most once per batch.
            this.wake.Set();
        }

        return true;
    }

    private void PriceHere(Activity span)
    {
        Interlocked.Increment(ref this.pricedByEndingThread);
        lock (this.drainLock)
        {
            // What was queued ended before this span: it is priced first, so a task root still closes last.
            this.DrainLocked();
            this.engine.OnEnded(span, this.Resource);
        }
    }

    private void DrainLocked()
    {
        var spin = default(SpinWait);
        var head = Volatile.Read(ref this.at.Head);
        while (true)
        {
            // The tail is read again each time: a price call that drains again on this thread (a budget
            // handler that flushes, say) takes the lock recursively and moves it. The head is read
            // again only when the tail has caught up with the copy of it.
            var next = this.at.Tail;
            if (next >= head)
            {
                head = Volatile.Read(ref this.at.Head);
                if (next >= head)
                {
                    return;
                }
            }

            ref var slot = ref this.slots[next & this.mask];
            var span = Volatile.Read(ref slot);
            if (span is null)
            {
                // Claimed, not stored yet: the producer is between its compare-and-swap and its store.
                spin.SpinOnce();
                continue;
            }

            slot = null;
            Volatile.Write(ref this.at.Tail, next + 1);
            this.engine.OnEnded(span, this.Resource);
        }
    }

    private void Run()
    {
        var idle = false;
        while (!this.stopping)
        {
            try
            {
                if (idle)
                {
                    // Park until a span comes. The exchange orders the flag before the emptiness check,
                    // and a producer's claim before its read of the flag: one of the two sees the other.
                    Interlocked.Exchange(ref this.at.Parked, 1);
                    if (Volatile.Read(ref this.at.Head) == Volatile.Read(ref this.at.Tail) && !this.stopping)
                    {
                        this.wake.Wait();
                    }

                    Volatile.Write(ref this.at.Parked, 0);
                }
                else
                {
                    this.wake.Wait(IdleWait);
                }

                this.wake.Reset();
                var before = Volatile.Read(ref this.at.Tail);
                this.PricePending();
                idle = Volatile.Read(ref this.at.Tail) == before;
            }
            catch (Exception ex)
            {
                // The engine does not throw; this keeps the thread alive should anything else.
                UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>
    /// The ring's positions, the producers' and the pricer's each on cache lines of their own (128 bytes
    /// apart, as adjacent lines are fetched in pairs): a producer's compare-and-swap of the head does not
    /// take the line the pricer writes its tail to after every span.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 384)]
    private struct Positions
    {
        /// <summary>The next slot to claim (producers).</summary>
        [FieldOffset(128)]
        public long Head;

        /// <summary>The producers' copy of <see cref="Tail"/>, refreshed when the ring looks full.</summary>
        [FieldOffset(136)]
        public long TailSeen;

        /// <summary>1 while the pricer waits without a timeout; read by producers after each store.</summary>
        [FieldOffset(144)]
        public int Parked;

        /// <summary>The next slot to price (the pricer, under the drain lock).</summary>
        [FieldOffset(256)]
        public long Tail;
    }
}
