using System.Buffers;
using System.IO.Compression;

namespace UnitEconomics.Exporter.Receivers;

public enum BodyReadStatus
{
    Ok,
    TooLarge,
    DecompressedTooLarge,
    BadGzip,
}

/// <summary>
/// A request body read into pooled memory under two limits: bytes on the wire, and bytes after gzip.
/// Decompression is streamed and stops at the limit, so a gzip bomb costs at most the limit in memory.
/// Dispose returns the buffer to the pool.
/// </summary>
public sealed class BoundedBody : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private byte[] buffer;
    private int length;

    private BoundedBody(int initialCapacity)
    {
        this.buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, ChunkSize));
    }

    public ReadOnlyMemory<byte> Memory => this.buffer.AsMemory(0, this.length);

    public static async Task<(BodyReadStatus Status, BoundedBody? Body)> ReadAsync(
        Stream body, long? contentLength, bool gzip, long maxWireBytes, long maxDecodedBytes, CancellationToken cancellationToken)
    {
        if (contentLength > maxWireBytes)
        {
            return (BodyReadStatus.TooLarge, null);
        }

        var wire = new LimitedReadStream(body, maxWireBytes);
        var decodedLimit = gzip ? maxDecodedBytes : maxWireBytes;
        var initial = gzip || contentLength is null ? ChunkSize : (int)Math.Min(Math.Min(contentLength.Value, decodedLimit), Array.MaxLength);
        var result = new BoundedBody(initial);
        try
        {
            bool withinLimit;
            if (gzip)
            {
                await using var inflater = new GZipStream(wire, CompressionMode.Decompress, leaveOpen: true);
                withinLimit = await result.FillAsync(inflater, decodedLimit, cancellationToken);
            }
            else
            {
                withinLimit = await result.FillAsync(wire, decodedLimit, cancellationToken);
            }

            if (wire.Exceeded)
            {
                result.Dispose();
                return (BodyReadStatus.TooLarge, null);
            }

            if (!withinLimit)
            {
                result.Dispose();
                return (gzip ? BodyReadStatus.DecompressedTooLarge : BodyReadStatus.TooLarge, null);
            }

            return (BodyReadStatus.Ok, result);
        }
        catch (InvalidDataException)
        {
            result.Dispose();
            return (wire.Exceeded ? BodyReadStatus.TooLarge : BodyReadStatus.BadGzip, null);
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref this.buffer, []);
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Copies until the end of <paramref name="source"/>; false as soon as more than <paramref name="limit"/> bytes arrive.</summary>
    private async Task<bool> FillAsync(Stream source, long limit, CancellationToken cancellationToken)
    {
        limit = Math.Min(limit, Array.MaxLength); // what one buffer can hold
        while (true)
        {
            if (this.length >= limit)
            {
                // Full at the limit: one more byte means too large.
                var probe = new byte[1];
                return await source.ReadAsync(probe, cancellationToken) == 0;
            }

            if (this.length == this.buffer.Length)
            {
                this.Grow(limit);
            }

            var room = (int)Math.Min(this.buffer.Length - this.length, limit - this.length);
            var read = await source.ReadAsync(this.buffer.AsMemory(this.length, room), cancellationToken);
            if (read == 0)
            {
                return true;
            }

            this.length += read;
        }
    }

    private void Grow(long limit)
    {
        // Doubling, but never past the limit: the limit bounds what a request can make us hold.
        var target = (int)Math.Min((long)this.buffer.Length * 2, limit);
        var larger = ArrayPool<byte>.Shared.Rent(target);
        this.buffer.AsSpan(0, this.length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(this.buffer);
        this.buffer = larger;
    }

    /// <summary>Reads at most a limit from the inner stream, then reports end of stream and remembers that it was cut.</summary>
    private sealed class LimitedReadStream : Stream
    {
        private readonly Stream inner;
        private readonly long limit;
        private long total;

        public LimitedReadStream(Stream inner, long limit)
        {
            this.inner = inner;
            this.limit = limit;
        }

        public bool Exceeded { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => this.total; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (this.Exceeded)
            {
                return 0;
            }

            // Ask for one byte past the limit so an over-long body is noticed, never kept.
            var allowed = (int)Math.Min(destination.Length, this.limit - this.total + 1);
            var read = await this.inner.ReadAsync(destination[..allowed], cancellationToken);
            this.total += read;
            if (this.total > this.limit)
            {
                this.Exceeded = true;
                return 0;
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            this.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not allowed on request bodies");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
