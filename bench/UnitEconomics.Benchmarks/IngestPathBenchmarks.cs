using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Prometheus;
using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Otlp;
using UnitEconomics.LoadGenerator;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Prometheus;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// The service's path for one OTLP request of the load generator's realistic batch (513 spans: chat,
/// RAG and agent traces, 270 model calls), without the network: decoding, and decoding plus assembling
/// and replaying every trace through the engine and the Prometheus sink. Figures are per span.
/// </summary>
[MemoryDiagnoser]
public class IngestPathBenchmarks
{
    private const int SpansPerBatch = 513;

    private byte[] protobuf = null!;
    private byte[] json = null!;
    private EngineTraceIngest ingest = null!;

    [GlobalSetup]
    public void Setup()
    {
        var workload = new Workload(seed: 42, tenants: 200);
        var request = workload.Batch(27);
        if (workload.SpansPerBatch != SpansPerBatch)
        {
            throw new InvalidOperationException($"the batch has {workload.SpansPerBatch} spans");
        }

        this.protobuf = request.ToByteArray();
        this.json = EncodedBatch.Encode(request, Transport.HttpJson).Body;
        var catalog = PriceCatalog.LoadDefault();
        var engine = new CostEngine(new UnitEconomicsOptions(), () => catalog, () => TenantDirectory.Empty, [new PrometheusCostSink(Metrics.NewCustomRegistry())]);
        var options = new ExporterOptions { Ingest = { Workers = 1, RootSettleDelay = TimeSpan.Zero } };
        this.ingest = new EngineTraceIngest(engine, Options.Create(options));
        this.ingest.Start();
        for (var i = 0; i < 50; i++)
        {
            this.DecodeAndIngestProtobuf(); // every label set warm
        }
    }

    [GlobalCleanup]
    public void Cleanup() => this.ingest.StopAsync().GetAwaiter().GetResult();

    /// <summary>The baseline: Google.Protobuf's generated parser (what a generated OTLP service would use).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SpansPerBatch)]
    public ExportTraceServiceRequest DecodeProtobufGenerated() => ExportTraceServiceRequest.Parser.ParseFrom(this.protobuf);

    /// <summary>
    /// The OTLP/HTTP protobuf receiver's reader, straight into the service's span records; the batch's
    /// arrays go back to their pool as the ingest would give them back.
    /// </summary>
    [Benchmark(OperationsPerInvoke = SpansPerBatch)]
    public int DecodeProtobufDirect()
    {
        var batch = OtlpProtobufReader.Read(this.protobuf);
        var count = batch.Count;
        batch.Release();
        return count;
    }

    /// <summary>The OTLP/HTTP JSON receiver's reader, into the same records.</summary>
    [Benchmark(OperationsPerInvoke = SpansPerBatch)]
    public int DecodeJson()
    {
        var batch = OtlpJsonReader.Read(this.json);
        var count = batch.Count;
        batch.Release();
        return count;
    }

    /// <summary>Decode (as the protobuf receivers do), queue, read each span into a call, account every settled trace; waits until every trace is priced.</summary>
    [Benchmark(OperationsPerInvoke = SpansPerBatch)]
    public void DecodeAndIngestProtobuf()
    {
        if (this.ingest.Offer(OtlpProtobufReader.Read(this.protobuf, this.ingest.Reader)) != IngestStatus.Accepted)
        {
            throw new InvalidOperationException("saturated");
        }

        this.ingest.DrainAsync().GetAwaiter().GetResult();
    }
}
