using System.Buffers;
using System.Globalization;
using System.Text;
using UnitEconomics.Otel.InfluxDB.Events;

namespace UnitEconomics.Otel.InfluxDB.LineProtocol;

/// <summary>
/// Writes InfluxDB line protocol as UTF-8 straight into a buffer rented from <see cref="ArrayPool{T}"/>:
/// no string per event, per field or per escaped value. One writer serves one batch at a time and is
/// reused after <see cref="Clear"/>; it is not thread-safe.
/// </summary>
/// <remarks>
/// Escaping follows the line protocol reference: measurement names escape comma and space; tag keys,
/// tag values and field keys escape comma, equals sign and space; string field values escape double
/// quote and backslash. A carriage return or line feed would end the line early (and 2.x/3.x refuse
/// them anywhere), so each one becomes a space. Empty tag values are omitted (the protocol forbids
/// them), as are null strings and non-finite floats; a line left with no field is not written.
/// </remarks>
public sealed class LineProtocolWriter : IDisposable
{
    // InfluxDB stores int64 nanoseconds since the epoch: 1677-09-21T00:12:43.145224194Z ..
    // 2262-04-11T23:47:16.854775806Z. Outside that a point is refused, and with it the whole batch.
    private static readonly long MinTicks = new DateTime(1677, 9, 22, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly long MaxTicks = new DateTime(2262, 4, 11, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private static readonly SearchValues<char> MeasurementSpecials = SearchValues.Create(", \r\n");
    private static readonly SearchValues<char> KeySpecials = SearchValues.Create(",= \r\n");
    private static readonly SearchValues<char> StringSpecials = SearchValues.Create("\"\\\r\n");

    private byte[] buffer;
    private int length;
    private int lineStart;
    private int fieldCount;
    private int lineCount;
    private bool inLine;

    public LineProtocolWriter(int initialCapacity = 64 * 1024)
    {
        this.buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>The bytes written so far: complete lines, each ending in <c>\n</c>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => this.buffer.AsMemory(0, this.length);

    public ReadOnlySpan<byte> WrittenSpan => this.buffer.AsSpan(0, this.length);

    public int Length => this.length;

    /// <summary>Lines completed since the last <see cref="Clear"/>.</summary>
    public int LineCount => this.lineCount;

    /// <summary>Forgets what was written and keeps the buffer for the next batch.</summary>
    public void Clear()
    {
        this.length = 0;
        this.lineStart = 0;
        this.fieldCount = 0;
        this.lineCount = 0;
        this.inLine = false;
    }

    /// <summary>One <c>ai_request</c> line. Tags are written sorted by key, as InfluxDB prefers.</summary>
    public void Write(in RequestEvent e)
    {
        this.BeginLineRaw("ai_request"u8);
        this.TagRaw("cache"u8, e.Cache);
        this.TagRaw("model"u8, e.Model);
        this.TagRaw("operation"u8, e.Operation);
        this.TagRaw("provider"u8, e.Provider);
        this.TagRaw("tenant"u8, e.Tenant);
        this.TagRaw("tier"u8, e.Tier);
        this.TagRaw("use_case"u8, e.UseCase);
        this.FieldRaw("input_tokens"u8, e.InputTokens);
        this.FieldRaw("cache_read_tokens"u8, e.CacheReadTokens);
        this.FieldRaw("cache_write_tokens"u8, e.CacheWriteTokens);
        this.FieldRaw("output_tokens"u8, e.OutputTokens);
        this.FieldRaw("reasoning_tokens"u8, e.ReasoningTokens);
        this.FieldRaw("cost_usd"u8, e.CostUsd);
        this.FieldRaw("latency_ms"u8, e.LatencyMs);
        this.FieldRaw("request_id"u8, e.RequestId);
        this.FieldRaw("trace_id"u8, e.TraceId);
        this.FieldRaw("cost_source"u8, e.CostSource);
        this.EndLine(e.TimestampUtc, e.PointSeed);
    }

    /// <summary>One <c>ai_agent_task</c> line.</summary>
    public void Write(in AgentTaskEvent e)
    {
        this.BeginLineRaw("ai_agent_task"u8);
        this.TagRaw("agent"u8, e.Agent);
        this.TagRaw("outcome"u8, e.Outcome);
        this.TagRaw("tenant"u8, e.Tenant);
        this.TagRaw("tier"u8, e.Tier);
        this.TagRaw("use_case"u8, e.UseCase);
        this.FieldRaw("model_calls"u8, e.ModelCalls);
        this.FieldRaw("tool_calls"u8, e.ToolCalls);
        this.FieldRaw("failed_calls"u8, e.FailedCalls);
        this.FieldRaw("tokens"u8, e.Tokens);
        this.FieldRaw("cost_usd"u8, e.CostUsd);
        this.FieldRaw("duration_ms"u8, e.DurationMs);
        this.FieldRaw("trace_id"u8, e.TraceId);
        this.EndLine(e.TimestampUtc, e.PointSeed);
    }

    /// <summary>One <c>ai_user_request</c> line.</summary>
    public void Write(in UserRequestEvent e)
    {
        this.BeginLineRaw("ai_user_request"u8);
        this.TagRaw("shape"u8, e.Shape);
        this.TagRaw("tenant"u8, e.Tenant);
        this.TagRaw("tier"u8, e.Tier);
        this.TagRaw("use_case"u8, e.UseCase);
        this.FieldRaw("calls"u8, e.Calls);
        this.FieldRaw("inference_calls"u8, e.InferenceCalls);
        this.FieldRaw("retrieval_calls"u8, e.RetrievalCalls);
        this.FieldRaw("cost_usd"u8, e.CostUsd);
        this.FieldRaw("duration_ms"u8, e.DurationMs);
        this.FieldRaw("trace_id"u8, e.TraceId);
        this.EndLine(e.TimestampUtc, e.PointSeed);
    }

    /// <summary>Starts a line. A line begun and not ended is discarded by the next <see cref="BeginLine"/>.</summary>
    public void BeginLine(string measurement)
    {
        ArgumentException.ThrowIfNullOrEmpty(measurement);
        this.StartLine();
        this.WriteEscaped(measurement, MeasurementSpecials);
    }

    /// <summary>Adds a tag; all tags come before the first field. An empty or null value is omitted.</summary>
    public void Tag(string key, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        this.EnsureTagPosition();
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        this.WriteByte((byte)',');
        this.WriteEscaped(key, KeySpecials);
        this.WriteByte((byte)'=');
        this.WriteEscaped(value, KeySpecials);
    }

    /// <summary>An integer field, written with the <c>i</c> suffix.</summary>
    public void Field(string key, long value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        this.FieldKey(key);
        this.WriteInteger(value);
    }

    /// <summary>A float field in invariant, shortest round-trip form. NaN and infinities are omitted.</summary>
    public void Field(string key, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!double.IsFinite(value))
        {
            return;
        }

        this.FieldKey(key);
        this.WriteFloat(value);
    }

    /// <summary>A string field, quoted. A null value is omitted; an empty one is written as <c>""</c>.</summary>
    public void Field(string key, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (value is null)
        {
            return;
        }

        this.FieldKey(key);
        this.WriteString(value);
    }

    /// <summary>
    /// Ends the line with its timestamp in nanoseconds. Returns false, and takes the line back, when it
    /// has no field (InfluxDB refuses such a line). A timestamp InfluxDB cannot store (before 1677 or
    /// after 2262, e.g. <c>default(DateTime)</c>) is left out so the server stamps the point on arrival,
    /// rather than the server refusing the whole batch.
    /// </summary>
    public bool EndLine(DateTime timestamp) => this.EndLine(timestamp, seed: 0);

    /// <summary>As <see cref="EndLine(DateTime)"/>, the time kept apart from other points by <paramref name="seed"/> (see <see cref="PointTime"/>).</summary>
    public bool EndLine(DateTime timestamp, ulong seed)
    {
        if (!this.inLine)
        {
            throw new InvalidOperationException("EndLine without BeginLine.");
        }

        this.inLine = false;
        if (this.fieldCount == 0)
        {
            this.length = this.lineStart;
            return false;
        }

        if (timestamp.Kind == DateTimeKind.Local)
        {
            timestamp = timestamp.ToUniversalTime();
        }

        var ticks = timestamp.Ticks;
        if (ticks >= MinTicks && ticks <= MaxTicks)
        {
            this.WriteByte((byte)' ');
            this.WriteInteger(PointTime.Nanos((ticks - DateTime.UnixEpoch.Ticks) * 100, seed), suffix: false);
        }

        this.WriteByte((byte)'\n');
        this.lineCount++;
        return true;
    }

    /// <summary>The text written so far (for tests and diagnostics; allocates).</summary>
    public override string ToString() => Encoding.UTF8.GetString(this.WrittenSpan);

    public void Dispose()
    {
        var rented = this.buffer;
        this.buffer = [];
        this.length = 0;
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void StartLine()
    {
        if (this.inLine)
        {
            this.length = this.lineStart;
        }

        this.inLine = true;
        this.lineStart = this.length;
        this.fieldCount = 0;
    }

    // The measurement and key names of the two event types are constants known to need no escaping.
    private void BeginLineRaw(ReadOnlySpan<byte> measurement)
    {
        this.StartLine();
        this.WriteBytes(measurement);
    }

    private void TagRaw(ReadOnlySpan<byte> key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        this.WriteByte((byte)',');
        this.WriteBytes(key);
        this.WriteByte((byte)'=');
        this.WriteEscaped(value, KeySpecials);
    }

    private void FieldRaw(ReadOnlySpan<byte> key, long value)
    {
        this.FieldSeparator();
        this.WriteBytes(key);
        this.WriteByte((byte)'=');
        this.WriteInteger(value);
    }

    private void FieldRaw(ReadOnlySpan<byte> key, double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        this.FieldSeparator();
        this.WriteBytes(key);
        this.WriteByte((byte)'=');
        this.WriteFloat(value);
    }

    private void FieldRaw(ReadOnlySpan<byte> key, string? value)
    {
        if (value is null)
        {
            return;
        }

        this.FieldSeparator();
        this.WriteBytes(key);
        this.WriteByte((byte)'=');
        this.WriteString(value);
    }

    private void EnsureTagPosition()
    {
        if (!this.inLine)
        {
            throw new InvalidOperationException("Tag before BeginLine.");
        }

        if (this.fieldCount > 0)
        {
            throw new InvalidOperationException("Tags must come before fields.");
        }
    }

    private void FieldKey(string key)
    {
        if (!this.inLine)
        {
            throw new InvalidOperationException("Field before BeginLine.");
        }

        this.FieldSeparator();
        this.WriteEscaped(key, KeySpecials);
        this.WriteByte((byte)'=');
    }

    private void FieldSeparator()
    {
        this.WriteByte(this.fieldCount == 0 ? (byte)' ' : (byte)',');
        this.fieldCount++;
    }

    private void WriteString(string value)
    {
        this.WriteByte((byte)'"');
        this.WriteEscaped(value, StringSpecials);
        this.WriteByte((byte)'"');
    }

    private void WriteInteger(long value, bool suffix = true)
    {
        this.EnsureCapacity(21);
        value.TryFormat(this.buffer.AsSpan(this.length), out var written, default, CultureInfo.InvariantCulture);
        this.length += written;
        if (suffix)
        {
            this.buffer[this.length++] = (byte)'i';
        }
    }

    private void WriteFloat(double value)
    {
        // "R": the shortest text that parses back to the same double (e.g. 0.1, 1.25E-05, 3).
        this.EnsureCapacity(32);
        value.TryFormat(this.buffer.AsSpan(this.length), out var written, "R", CultureInfo.InvariantCulture);
        this.length += written;
    }

    private void WriteEscaped(ReadOnlySpan<char> value, SearchValues<char> specials)
    {
        // 3 bytes per char covers both the worst UTF-8 case and an escaped ASCII character (2 bytes).
        this.EnsureCapacity(checked(value.Length * 3));
        var quoted = ReferenceEquals(specials, StringSpecials);
        while (true)
        {
            var i = value.IndexOfAny(specials);
            if (i < 0)
            {
                this.WriteUtf8(value);
                return;
            }

            this.WriteUtf8(value[..i]);
            var c = value[i];
            if (c is '\r' or '\n')
            {
                if (!quoted)
                {
                    this.buffer[this.length++] = (byte)'\\';
                }

                this.buffer[this.length++] = (byte)' ';
            }
            else
            {
                this.buffer[this.length++] = (byte)'\\';
                this.buffer[this.length++] = (byte)c;
            }

            value = value[(i + 1)..];
        }
    }

    private void WriteUtf8(ReadOnlySpan<char> value)
    {
        if (!value.IsEmpty)
        {
            this.length += Encoding.UTF8.GetBytes(value, this.buffer.AsSpan(this.length));
        }
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        this.EnsureCapacity(bytes.Length);
        bytes.CopyTo(this.buffer.AsSpan(this.length));
        this.length += bytes.Length;
    }

    private void WriteByte(byte b)
    {
        this.EnsureCapacity(1);
        this.buffer[this.length++] = b;
    }

    private void EnsureCapacity(int more)
    {
        if (this.buffer.Length - this.length >= more)
        {
            return;
        }

        var next = ArrayPool<byte>.Shared.Rent(Math.Max(checked(this.length + more), this.buffer.Length * 2));
        this.buffer.AsSpan(0, this.length).CopyTo(next);
        if (this.buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(this.buffer);
        }

        this.buffer = next;
    }
}
