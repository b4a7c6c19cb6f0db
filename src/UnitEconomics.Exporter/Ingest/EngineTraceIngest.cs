using System.Buffers.Binary;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.Exporter.Traces;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Ingest;

/// <summary>
/// The cost engine behind the receivers. <see cref="Offer"/> only puts the request on a bounded queue
/// (a full queue answers "saturated": the sender retries, nothing is lost); workers take it from there,
/// each owning the traces whose id hashes to it, read each span into a call with the one
/// <see cref="CostEngine"/> as they take it, keep the calls per trace and account them when the trace
/// settles. Reading, pricing and attribution are all the engine's.
/// </summary>
public sealed class EngineTraceIngest : ITraceIngest
{
    private const int WorkerQueueCapacity = 2;

    private readonly CostEngine engine;
    private readonly IngestOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<Item> intake;
    private readonly Channel<Item>[] workerQueues;
    private readonly TraceAssembler[] assemblers;
    private readonly Lock lifecycle = new();
    private Task? running;
    private volatile bool accepting = true;
    private volatile bool started;
    private volatile bool shuttingDown;
    private long queuedBytes;

    public EngineTraceIngest(CostEngine engine, IOptions<ExporterOptions> options, ILogger<EngineTraceIngest>? logger = null, TimeProvider? time = null)
    {
        this.engine = engine;
        // The engine's keys are interned now; keys decoded before are cached as other instances: look again.
        OtlpStrings.KeysInterned();
        this.options = options.Value.Ingest;
        this.time = time ?? TimeProvider.System;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        this.intake = Channel.CreateBounded<Item>(new BoundedChannelOptions(this.options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the request is refused, not dropped
            SingleReader = true,
        });

        var workers = this.options.EffectiveWorkers;
        var perWorker = Math.Max(1, this.options.MaxTracesInFlight / workers);
        this.assemblers = new TraceAssembler[workers];
        for (var i = 0; i < workers; i++)
        {
            this.assemblers[i] = new TraceAssembler(engine, this.time, this.options.RootSettleDelay, this.options.TraceIdleTimeout, perWorker);
        }

        // One worker reads the intake itself; several get their requests through a dispatcher, each
        // on a short bounded queue, so a slow worker holds the dispatcher and the intake fills up.
        this.workerQueues = workers == 1
            ? [this.intake]
            : [.. Enumerable.Range(0, workers).Select(_ => Channel.CreateBounded<Item>(new BoundedChannelOptions(WorkerQueueCapacity) { SingleReader = true, SingleWriter = true }))];
    }

    public CostEngine Engine => this.engine;

    /// <summary>Ready once the workers run, until shutdown begins (then senders go to another instance).</summary>
    public bool IsReady => this.started && this.accepting && !this.shuttingDown;

    /// <summary>Requests accepted and not yet taken by a worker.</summary>
    public int QueueDepth => this.intake.Reader.Count + (this.workerQueues.Length > 1 ? this.workerQueues.Sum(q => q.Reader.Count) : 0);

    /// <summary>Encoded bytes of the requests accepted and not yet taken from the intake.</summary>
    public long QueuedBytes => Volatile.Read(ref this.queuedBytes);

    public int TracesInFlight => this.assemblers.Sum(a => a.TracesInFlight);

    /// <summary>Traces processed before their root came because <see cref="IngestOptions.MaxTracesInFlight"/> was reached.</summary>
    public long TracesProcessedEarly => this.assemblers.Sum(a => a.ProcessedEarly);

    /// <summary>Traces processed at <see cref="IngestOptions.TraceIdleTimeout"/>, their root never having come.</summary>
    public long TracesProcessedIdle => this.assemblers.Sum(a => a.ProcessedIdle);

    /// <summary>The engine's reading: the receivers decode only the attributes it reads.</summary>
    public SpanNormalizer Reader => this.engine.Normalizer;

    SpanNormalizer? ITraceIngest.Reader => this.Reader;

    public IngestStatus Offer(SpanBatch batch)
    {
        // Nothing else on the request thread: the queue is the back-pressure point. Every worker reads
        // the batch; the last one done gives its arrays back.
        batch.SetReleases(this.assemblers.Length);
        var size = batch.EncodedBytes;
        if (this.accepting && this.TryReserveBytes(size))
        {
            if (this.intake.Writer.TryWrite(new Item(batch, null)))
            {
                return IngestStatus.Accepted;
            }

            Interlocked.Add(ref this.queuedBytes, -size);
        }

        for (var i = 0; i < this.assemblers.Length; i++)
        {
            batch.Release();
        }

        return IngestStatus.Saturated;
    }

    /// <summary>Whether a request of this size would be queued now (both bounds); checked again, exactly, when it is offered.</summary>
    public bool HasRoomFor(long encodedBytes)
    {
        if (!this.accepting || this.intake.Reader.Count >= this.options.QueueCapacity)
        {
            return false;
        }

        var queued = Volatile.Read(ref this.queuedBytes);
        return queued == 0 || queued + encodedBytes <= this.options.QueueCapacityBytes;
    }

    /// <summary>Adds a request's bytes to the queue's weight unless that passes the bound (an empty queue takes any one request).</summary>
    private bool TryReserveBytes(long size)
    {
        var after = Interlocked.Add(ref this.queuedBytes, size);
        if (after <= this.options.QueueCapacityBytes || after == size)
        {
            return true;
        }

        Interlocked.Add(ref this.queuedBytes, -size);
        return false;
    }

    /// <summary>A request left the intake (to the dispatcher or the one worker): its bytes no longer weigh on the queue.</summary>
    private void TakenFromIntake(in Item item)
    {
        if (item.Batch is { EncodedBytes: > 0 } batch)
        {
            Interlocked.Add(ref this.queuedBytes, -batch.EncodedBytes);
        }
    }

    /// <summary>
    /// Says "not ready" from now on, while still taking requests: the host is stopping and load
    /// balancers should send elsewhere, but what is in flight is still accepted until the receivers stop.
    /// </summary>
    public void BeginShutdown() => this.shuttingDown = true;

    /// <summary>Starts the workers (once).</summary>
    public void Start()
    {
        lock (this.lifecycle)
        {
            if (this.running is not null)
            {
                return;
            }

            var workers = new List<Task>(this.assemblers.Length + 1);
            for (var i = 0; i < this.assemblers.Length; i++)
            {
                var index = i;
                workers.Add(Task.Run(() => this.RunWorkerAsync(index)));
            }

            if (this.workerQueues.Length > 1)
            {
                workers.Add(Task.Run(this.DispatchAsync));
            }

            this.running = Task.WhenAll(workers);
            this.started = true;
        }
    }

    /// <summary>
    /// Completes when every request accepted before the call has been read by the workers and every
    /// trace whose root has arrived has been processed, settle delay or not. With
    /// <paramref name="includeRootless"/>, traces still waiting for their root are processed too.
    /// For operations (and tests) that need "everything so far is counted" without stopping.
    /// </summary>
    public async Task DrainAsync(bool includeRootless = false, CancellationToken cancellationToken = default)
    {
        var barrier = new Barrier(this.assemblers.Length, includeRootless);
        try
        {
            await this.intake.Writer.WriteAsync(new Item(null, barrier), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return; // stopping: StopAsync processes everything
        }

        await barrier.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops taking requests, lets the workers empty the queue, then processes every buffered trace,
    /// rooted or not. Nothing accepted is lost.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? workers;
        lock (this.lifecycle)
        {
            this.accepting = false;
            this.intake.Writer.TryComplete();
            workers = this.running;
        }

        if (workers is null)
        {
            // Never started: whatever was queued is processed here, on the caller's thread.
            this.Start();
            workers = this.running!;
        }

        await workers.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DispatchAsync()
    {
        var reader = this.intake.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    this.TakenFromIntake(item);

                    // Every worker sees every request and takes its own traces from it: no per-request
                    // split, and one trace is always on one worker.
                    foreach (var queue in this.workerQueues)
                    {
                        await queue.Writer.WriteAsync(item).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            foreach (var queue in this.workerQueues)
            {
                queue.Writer.TryComplete();
            }
        }
    }

    private async Task RunWorkerAsync(int index)
    {
        var reader = this.workerQueues[index].Reader;
        var assembler = this.assemblers[index];
        var partitions = (uint)this.assemblers.Length;
        Task<bool>? waiting = null;
        while (true)
        {
            // Wake on a request or on the sweep interval, whichever first; the pending wait is kept
            // across sweeps (a single-reader channel allows one outstanding wait).
            waiting ??= reader.WaitToReadAsync().AsTask();
            if (!waiting.IsCompleted)
            {
                await Task.WhenAny(waiting, Task.Delay(this.options.SweepInterval, this.time)).ConfigureAwait(false);
            }

            if (waiting.IsCompleted)
            {
                var more = await waiting.ConfigureAwait(false);
                waiting = null;
                if (!more)
                {
                    break;
                }
            }

            try
            {
                while (reader.TryRead(out var item))
                {
                    if (partitions == 1)
                    {
                        this.TakenFromIntake(item); // the one worker reads the intake itself
                    }

                    this.Handle(item, assembler, (uint)index, partitions);
                }

                assembler.ProcessDue(this.time.GetTimestamp());
            }
            catch (Exception ex)
            {
                // The engine contains its own faults; this is a bug in assembling. Keep the worker alive.
                this.logger.LogError(ex, "Assembling traces failed; the worker continues.");
            }
        }

        // The queue is closed and empty: shutdown. Every trace still buffered is processed now.
        try
        {
            assembler.ProcessAll();
        }
        catch (Exception ex)
        {
            this.logger.LogError(ex, "Processing the buffered traces at shutdown failed.");
        }
    }

    private void Handle(in Item item, TraceAssembler assembler, uint index, uint partitions)
    {
        if (item.Batch is { } batch)
        {
            var now = this.time.GetTimestamp();
            try
            {
                var records = batch.Records;
                for (var i = 0; i < records.Length; i++)
                {
                    if (partitions == 1 || Partition(records[i].TraceId, partitions) == index)
                    {
                        assembler.Add(batch, i, now);
                    }
                }
            }
            finally
            {
                // The traces keep calls read from the batch, nothing of the batch itself.
                batch.Release();
            }

            // The request may have completed traces: those whose root came and settled go now.
            assembler.ProcessDue(now);
        }
        else if (item.Barrier is { } barrier)
        {
            try
            {
                if (barrier.IncludeRootless)
                {
                    assembler.ProcessAll();
                }
                else
                {
                    assembler.ProcessDue(this.time.GetTimestamp(), ignoreSettle: true);
                }
            }
            finally
            {
                barrier.Signal();
            }
        }
    }

    /// <summary>The worker owning a trace: its id's low 8 bytes (random in W3C ids) modulo the workers.</summary>
    internal static uint Partition(RawTraceId traceId, uint partitions) =>
        (uint)(BinaryPrimitives.ReverseEndianness(traceId.Low) % partitions);

    private readonly record struct Item(SpanBatch? Batch, Barrier? Barrier);

    private sealed class Barrier(int workers, bool includeRootless)
    {
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int remaining = workers;

        public bool IncludeRootless => includeRootless;

        public Task Done => this.done.Task;

        public void Signal()
        {
            if (Interlocked.Decrement(ref this.remaining) == 0)
            {
                this.done.TrySetResult();
            }
        }
    }
}
