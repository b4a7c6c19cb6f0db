using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;
using UnitEconomics.Exporter.Diagnostics;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>
/// gzip (and zlib "deflate") for <c>grpc-encoding</c>, in place of the gRPC server's own providers:
/// a corrupt message is the sender's fault (INVALID_ARGUMENT, counted as malformed) instead of an
/// UNKNOWN error, and inflating stops at the message limit (RESOURCE_EXHAUSTED, counted as too large)
/// instead of after the whole bomb.
/// </summary>
internal sealed class CheckedCompressionProvider : ICompressionProvider
{
    private readonly ExporterMetrics metrics;
    private readonly long maxDecompressedBytes;
    private readonly bool zlib;

    public CheckedCompressionProvider(ExporterMetrics metrics, long maxDecompressedBytes, bool zlib = false)
    {
        this.metrics = metrics;
        this.maxDecompressedBytes = maxDecompressedBytes;
        this.zlib = zlib;
    }

    public string EncodingName => this.zlib ? "deflate" : "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) => this.zlib
        ? new ZLibStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true)
        : new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) => new CheckedInflater(
        this.zlib ? new ZLibStream(stream, CompressionMode.Decompress) : new GZipStream(stream, CompressionMode.Decompress),
        this.metrics,
        this.maxDecompressedBytes,
        this.EncodingName);

    private sealed class CheckedInflater : Stream
    {
        private readonly Stream inner;
        private readonly ExporterMetrics metrics;
        private readonly long limit;
        private readonly string encoding;
        private long total;

        public CheckedInflater(Stream inner, ExporterMetrics metrics, long limit, string encoding)
        {
            this.inner = inner;
            this.metrics = metrics;
            this.limit = limit;
            this.encoding = encoding;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => this.total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => this.Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read;
            try
            {
                read = this.inner.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                this.metrics.Rejected(ExporterMetrics.ProtocolGrpc, ExporterMetrics.ReasonMalformed);
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the message is not valid {this.encoding}: " + e.Message));
            }

            this.total += read;
            if (this.total > this.limit)
            {
                this.metrics.Rejected(ExporterMetrics.ProtocolGrpc, ExporterMetrics.ReasonTooLarge);
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"decompressed message exceeds {this.limit} bytes"));
            }

            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(this.Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(this.Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                this.inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
