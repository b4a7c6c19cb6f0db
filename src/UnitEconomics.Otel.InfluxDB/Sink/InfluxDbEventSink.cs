using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UnitEconomics.Otel.InfluxDB.Events;
using UnitEconomics.Otel.InfluxDB.LineProtocol;

namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>
/// Writes <see cref="RequestEvent"/>, <see cref="AgentTaskEvent"/> and <see cref="UserRequestEvent"/> to InfluxDB as line protocol.
/// <see cref="TryWrite(in RequestEvent)"/> only enqueues (never blocks, never throws); one background
/// loop batches, compresses and posts. While the server is down or overloaded (connection failures,
/// 5xx, 429) the batch stays in the buffer and is retried with exponential backoff and jitter, so an
/// outage loses nothing until the buffer is full; then the oldest events are dropped and counted. A
/// 4xx other than 429 means the batch itself is bad: it is dropped, counted as failed and logged.
/// </summary>
public sealed class InfluxDbEventSink : IAsyncDisposable
{
    private const int MaxLoggedBodyChars = 512;

    private readonly InfluxDbOptions options;
    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly ILogger logger;
    private readonly Uri writeUri;
    private readonly AuthenticationHeaderValue? authorization;
    private readonly EventBuffer buffer;
    private readonly int wakeDepth;
    private readonly SemaphoreSlim wake = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private TaskCompletionSource progress = NewProgress();
    private int wakeRequested;
    private int disposed;

    /// <summary>A sink with its own <see cref="HttpClient"/>.</summary>
    public InfluxDbEventSink(InfluxDbOptions options, ILogger? logger = null)
        : this(options, new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true, logger)
    {
    }

    /// <summary>A sink sending through <paramref name="handler"/> (which the caller keeps and disposes).</summary>
    public InfluxDbEventSink(InfluxDbOptions options, HttpMessageHandler handler, ILogger? logger = null)
        : this(options, new HttpClient(handler ?? throw new ArgumentNullException(nameof(handler)), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true, logger)
    {
    }

    /// <summary>A sink sending through <paramref name="httpClient"/> (which the caller keeps and disposes).</summary>
    public InfluxDbEventSink(InfluxDbOptions options, HttpClient httpClient, ILogger? logger = null)
        : this(options, httpClient ?? throw new ArgumentNullException(nameof(httpClient)), ownsHttp: false, logger)
    {
    }

    private InfluxDbEventSink(InfluxDbOptions options, HttpClient http, bool ownsHttp, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.http = http;
        this.ownsHttp = ownsHttp;
        this.logger = logger ?? NullLogger.Instance;
        this.writeUri = BuildWriteUri(options);
        this.authorization = BuildAuthorization(options);
        this.buffer = new EventBuffer(options.BufferCapacity);
        this.wakeDepth = Math.Min(options.BatchSize, options.BufferCapacity);
        this.loop = Task.Run(this.RunAsync);
    }

    /// <summary>Points the server accepted.</summary>
    public long PointsWritten => this.buffer.Written;

    /// <summary>Points in batches the server refused as malformed (4xx other than 429).</summary>
    public long PointsFailed => this.buffer.Failed;

    /// <summary>Points lost: pushed out of a full buffer, or still pending when the shutdown timeout ran out.</summary>
    public long PointsDropped => this.buffer.Dropped;

    /// <summary>Events waiting to be written (including the batch being sent).</summary>
    public int BufferDepth => this.buffer.Count;

    /// <summary>The request URI every batch is posted to.</summary>
    public Uri WriteUri => this.writeUri;

    public InfluxDbSinkStats GetStats() => new(this.PointsWritten, this.PointsFailed, this.PointsDropped, this.BufferDepth);

    /// <summary>Queues one request event. False only once the sink is disposed.</summary>
    public bool TryWrite(in RequestEvent e) => this.Enqueue(new PendingEvent(e));

    /// <summary>Queues one agent-task event. False only once the sink is disposed.</summary>
    public bool TryWrite(in AgentTaskEvent e) => this.Enqueue(new PendingEvent(e));

    /// <summary>Queues a user request's point; false when the buffer was full and the oldest point was dropped for it.</summary>
    public bool TryWrite(in UserRequestEvent e) => this.Enqueue(new PendingEvent(e));

    /// <summary>
    /// Completes when every event queued before the call has been written, refused or dropped. While the
    /// server is down that takes until it is back: bound it with <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = this.buffer.TailSequence;
        while (true)
        {
            // Taken before the check so a completion between the check and the wait is not missed.
            var next = Volatile.Read(ref this.progress).Task;
            if (this.buffer.HeadSequence >= target || this.loop.IsCompleted)
            {
                return;
            }

            this.Wake();
            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is pending (for at most <see cref="InfluxDbOptions.ShutdownTimeout"/>), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref this.disposed, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(this.options.ShutdownTimeout))
        {
            try
            {
                await this.FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await this.stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await this.loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        var lost = this.buffer.DropAll();
        if (lost > 0)
        {
            this.logger.LogWarning("InfluxDB sink shut down with {Count} events not written within {Timeout}.", lost, this.options.ShutdownTimeout);
        }

        Volatile.Read(ref this.progress).TrySetResult();
        if (this.ownsHttp)
        {
            this.http.Dispose();
        }

        this.stopping.Dispose();
        this.wake.Dispose();
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static Uri BuildWriteUri(InfluxDbOptions o)
    {
        var baseUrl = o.Url!.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var query = new StringBuilder();
        if (o.Version == InfluxDbVersion.V1)
        {
            query.Append("/write?db=").Append(Uri.EscapeDataString(o.Database!));
            if (!string.IsNullOrEmpty(o.RetentionPolicy))
            {
                query.Append("&rp=").Append(Uri.EscapeDataString(o.RetentionPolicy));
            }
        }
        else
        {
            query.Append("/api/v2/write?");
            if (!string.IsNullOrEmpty(o.Org))
            {
                query.Append("org=").Append(Uri.EscapeDataString(o.Org)).Append('&');
            }

            query.Append("bucket=").Append(Uri.EscapeDataString(o.Bucket!));
        }

        query.Append("&precision=ns");
        return new Uri(baseUrl + query);
    }

    private static AuthenticationHeaderValue? BuildAuthorization(InfluxDbOptions o)
    {
        if (o.Version == InfluxDbVersion.V2)
        {
            return string.IsNullOrEmpty(o.Token) ? null : new AuthenticationHeaderValue("Token", o.Token);
        }

        if (string.IsNullOrEmpty(o.Username))
        {
            return null;
        }

        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(o.Username + ":" + o.Password));
        return new AuthenticationHeaderValue("Basic", credentials);
    }

    private static bool IsRetryable(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    private bool Enqueue(in PendingEvent e)
    {
        if (Volatile.Read(ref this.disposed) != 0)
        {
            return false;
        }

        try
        {
            if (this.buffer.Add(e) == this.wakeDepth)
            {
                this.Wake();
            }

            return true;
        }
        catch (Exception)
        {
            // Out of memory growing the buffer: the host app must not pay for telemetry.
            return false;
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref this.wakeRequested, 1) == 0)
        {
            this.wake.Release();
        }
    }

    private async Task RunAsync()
    {
        var token = this.stopping.Token;
        var batch = new PendingEvent[this.wakeDepth];
        using var writer = new LineProtocolWriter();
        using var compressed = new MemoryStream();
        try
        {
            while (!token.IsCancellationRequested)
            {
                await this.wake.WaitAsync(this.options.FlushInterval, token).ConfigureAwait(false);
                Volatile.Write(ref this.wakeRequested, 0);
                try
                {
                    await this.DrainAsync(batch, writer, compressed, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    // Not expected; the loop must outlive it or the buffer would only fill and drop.
                    this.logger.LogError(ex, "InfluxDB sink failed to send a batch; it stays buffered.");
                    await Task.Delay(this.options.MinRetryDelay, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Read(ref this.progress).TrySetResult();
        }
    }

    /// <summary>Sends batches until the buffer is empty; a failed batch is retried until it goes through.</summary>
    private async Task DrainAsync(PendingEvent[] batch, LineProtocolWriter writer, MemoryStream compressed, CancellationToken token)
    {
        var delay = this.options.MinRetryDelay;
        var failing = false;
        while (true)
        {
            var n = this.buffer.PeekBatch(batch, out var first);
            if (n == 0)
            {
                return;
            }

            writer.Clear();
            for (var i = 0; i < n; i++)
            {
                switch (batch[i].Kind)
                {
                    case PendingKind.Task: writer.Write(batch[i].Task); break;
                    case PendingKind.UserRequest: writer.Write(batch[i].UserRequest); break;
                    default: writer.Write(batch[i].Request); break;
                }
            }

            Array.Clear(batch, 0, n);
            SendResult result;
            try
            {
                result = await this.PostAsync(writer, compressed, token).ConfigureAwait(false);
            }
            catch
            {
                this.buffer.Abandon();
                throw;
            }

            switch (result.Outcome)
            {
                case SendOutcome.Written:
                    this.buffer.Complete(first, n, accepted: true);
                    if (failing)
                    {
                        this.logger.LogInformation("InfluxDB writes to {Uri} succeed again.", this.writeUri);
                        failing = false;
                    }

                    delay = this.options.MinRetryDelay;
                    break;

                case SendOutcome.Refused:
                    this.buffer.Complete(first, n, accepted: false);
                    this.logger.LogError("InfluxDB refused a batch of {Count} points ({Reason}); the batch is dropped.", n, result.Reason);
                    break;

                default:
                    this.buffer.Abandon();
                    if (!failing)
                    {
                        this.logger.LogWarning("InfluxDB write to {Uri} failed ({Reason}); retrying with backoff, {Depth} events buffered.", this.writeUri, result.Reason, this.buffer.Count);
                        failing = true;
                    }

                    this.NotifyProgress();
                    await Task.Delay(Jitter(delay), token).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, this.options.MaxRetryDelay.Ticks));
                    continue;
            }

            this.NotifyProgress();
        }
    }

    private static TimeSpan Jitter(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + (Random.Shared.NextDouble() * 0.5))));

    private void NotifyProgress() => Interlocked.Exchange(ref this.progress, NewProgress()).TrySetResult();

    private async Task<SendResult> PostAsync(LineProtocolWriter writer, MemoryStream compressed, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, this.writeUri);
        if (this.options.Gzip)
        {
            compressed.SetLength(0);
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(writer.WrittenSpan);
            }

            request.Content = new ByteArrayContent(compressed.GetBuffer(), 0, (int)compressed.Length);
            request.Content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            var body = writer.WrittenMemory;
            request.Content = new ReadOnlyMemoryContent(body);
        }

        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        request.Headers.Authorization = this.authorization;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(this.options.RequestTimeout);
        try
        {
            using var response = await this.http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return new SendResult(SendOutcome.Written, null);
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (text.Length > MaxLoggedBodyChars)
            {
                text = text[..MaxLoggedBodyChars];
            }

            var reason = $"HTTP {(int)response.StatusCode}: {text.Trim()}";
            return new SendResult(IsRetryable(response.StatusCode) ? SendOutcome.Retry : SendOutcome.Refused, reason);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return new SendResult(SendOutcome.Retry, $"no answer within {this.options.RequestTimeout}");
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            // Connection refused or reset, DNS, TLS: the server is unreachable, not the batch bad.
            return new SendResult(SendOutcome.Retry, ex.Message);
        }
    }

    private enum SendOutcome
    {
        Written,
        Refused,
        Retry,
    }

    private readonly record struct SendResult(SendOutcome Outcome, string? Reason);
}
