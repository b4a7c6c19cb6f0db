using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;
using UnitEconomics.Exporter.Diagnostics;

namespace UnitEconomics.Exporter.Receivers;

/// <summary>
/// gzip for <c>grpc-encoding: gzip</c>, in place of the gRPC server's own: corrupt gzip is the sender's
/// fault (INVALID_ARGUMENT, counted as malformed) instead of an UNKNOWN error, and inflating stops at
/// the message limit (RESOURCE_EXHAUSTED, counted as too large) instead of after the whole bomb.
/// </summary>
internal sealed class CheckedGzipProvider : ICompressionProvider
{
    private readonly ExporterMetrics metrics;
    private readonly long maxDecompressedBytes;

    public CheckedGzipProvider(ExporterMetrics metrics, long maxDecompressedBytes)
    {
        this.metrics = metrics;
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) =>
        new GZipStream(stream, compressionLevel ?? CompressionLevel.Fastest, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream stream) =>
        new CheckedInflater(new GZipStream(stream, CompressionMode.Decompress), this.metrics, this.maxDecompressedBytes);

    private sealed class CheckedInflater : Stream
    {
        private readonly GZipStream inner;
        private readonly ExporterMetrics metrics;
        private readonly long limit;
        private long total;

        public CheckedInflater(GZipStream inner, ExporterMetrics metrics, long limit)
        {
            this.inner = inner;
            this.metrics = metrics;
            this.limit = limit;
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
                throw new RpcException(new Status(StatusCode.InvalidArgument, "the message is not valid gzip: " + e.Message));
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
