using System.Diagnostics;
using System.Globalization;

namespace UnitEconomics.LoadGenerator;

/// <summary>
/// Spans per second the service accepts and prices on its cores. A fresh service per transport; load
/// for a warm-up, then the service's counters are read at the start and end of a measured window while
/// the load continues; afterwards the load stops and the run waits until the engine has priced exactly
/// what the service accepted (every accepted batch holds the same number of model calls).
/// </summary>
internal static class Throughput
{
    public static async Task RunAsync(Options options)
    {
        var workload = new Workload(seed: 42, tenants: options.TenantsInMix);
        var templates = Enumerable.Range(0, options.Templates).Select(_ => workload.Batch(options.Triples)).ToList();
        int spans = workload.SpansPerBatch, calls = workload.PricedCallsPerBatch;
        Console.WriteLine();
        Console.WriteLine($"## Service ingest ({spans} spans per request: {calls} model calls, {workload.AgentTasksPerBatch} agent tasks; {options.TenantsInMix} tenants; {options.Seconds:0} s measured after {options.Warmup:0} s warm-up)");
        Console.WriteLine();
        Console.WriteLine("| transport | accepted spans/s | priced spans/s | service CPU (cores) | spans per CPU-second | target | priced / target | saturated answers | exact after drain | RSS after (MB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var transport in options.Transports)
        {
            var encoded = templates.Select(t => EncodedBatch.Encode(t, transport)).ToList();
            using var service = await ServiceProcess.StartAsync(options.ServiceDll, options.ServiceCpus, options.ServiceArgs);
            var protocol = transport switch
            {
                Transport.HttpProtobuf => "protocol=\"http_protobuf\"",
                Transport.Grpc => "protocol=\"grpc\"",
                _ => "protocol=\"http_json\"",
            };

            var counts = new SendCounts();
            var running = true;
            var senders = Enumerable.Range(0, options.Connections).Select(i => new Sender(transport, service, encoded, i * 3)).ToList();
            var load = senders.Select(s => Task.Run(() => s.RunAsync(counts, () => Volatile.Read(ref running)))).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
            var (m0, _, _) = await service.ScrapeAsync();
            var cpu0 = service.CpuSeconds();
            var watch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
            var (m1, _, _) = await service.ScrapeAsync();
            var cpu1 = service.CpuSeconds();
            var elapsed = watch.Elapsed.TotalSeconds;
            Volatile.Write(ref running, false);
            await Task.WhenAll(load);
            senders.ForEach(s => s.Dispose());

            var exact = await DrainAsync(service, protocol, calls);
            var received = (m1.Sum("ai_exporter_spans_received_total", protocol) - m0.Sum("ai_exporter_spans_received_total", protocol)) / elapsed;
            var accepted = (Ok(m1, protocol) - Ok(m0, protocol)) * spans / elapsed;
            var priced = (Calls(m1) - Calls(m0)) / calls * spans / elapsed;
            var cores = (cpu1 - cpu0) / elapsed;
            var target = transport switch { Transport.HttpProtobuf => 250_000, Transport.Grpc => 150_000, _ => 0 };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Name(transport)} | {accepted:N0} | {priced:N0} | {cores:0.00} | {priced / cores:N0} | {(target == 0 ? "—" : target.ToString("N0", CultureInfo.InvariantCulture))} | {(target == 0 ? "—" : (priced / target).ToString("0.00", CultureInfo.InvariantCulture) + "×")} | {counts.Saturated:N0} | {exact} | {service.ResidentBytes() / 1e6:0} |"));
            if (counts.Failed > 0)
            {
                Console.WriteLine($"  ({counts.Failed} requests failed; received {received:N0} spans/s)");
            }

            // The runtime's share over the same window: collections by generation, and (where the
            // service reports them) time paused by the GC and bytes allocated, per second and per span.
            double Delta(string name, params string[] labels) => m1.Sum(name, labels) - m0.Sum(name, labels);
            var gcLine = string.Create(CultureInfo.InvariantCulture,
                $"  GC in the window: gen0 {Delta("dotnet_collection_count_total", "generation=\"0\""):0}, gen1 {Delta("dotnet_collection_count_total", "generation=\"1\""):0}, gen2 {Delta("dotnet_collection_count_total", "generation=\"2\""):0}");
            if (m1.Series("ai_exporter_gc_pause_seconds_total") > 0)
            {
                var paused = Delta("ai_exporter_gc_pause_seconds_total") / elapsed;
                var allocated = Delta("ai_exporter_allocated_bytes_total") / elapsed;
                gcLine += string.Create(CultureInfo.InvariantCulture,
                    $"; paused {paused * 1000:0} ms/s ({paused / Math.Max(cores, 1e-9):P1} of the service CPU); allocated {allocated / 1e6:0.0} MB/s, {allocated / Math.Max(accepted, 1):0} B per accepted span");
            }

            Console.WriteLine(gcLine);
        }
    }

    internal static double Ok(MetricsText m, string protocol) => m.Sum("ai_exporter_requests_total", protocol, "outcome=\"ok\"");

    internal static double Calls(MetricsText m) => m.Sum("ai_requests_total") + m.Sum("ai_unpriced_requests_total");

    /// <summary>Waits for the engine to price every accepted request (settle delay and all); says whether the counts match exactly.</summary>
    internal static async Task<string> DrainAsync(ServiceProcess service, string protocol, int callsPerBatch)
    {
        var deadline = Stopwatch.StartNew();
        double ok = 0, priced = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (m, _, _) = await service.ScrapeAsync();
            ok = Ok(m, protocol);
            priced = Calls(m);
            if (priced == ok * callsPerBatch)
            {
                return string.Create(CultureInfo.InvariantCulture, $"yes ({priced:N0} calls)");
            }

            await Task.Delay(250);
        }

        return string.Create(CultureInfo.InvariantCulture, $"NO: {priced:N0} calls priced, {ok * callsPerBatch:N0} expected");
    }

    internal static string Name(Transport t) => t switch
    {
        Transport.HttpProtobuf => "OTLP/HTTP protobuf",
        Transport.Grpc => "OTLP/gRPC",
        _ => "OTLP/HTTP JSON",
    };
}

/// <summary>
/// Memory and scrape time with many tenants: every one of <see cref="Options.TenantCount"/> tenants
/// sends calls through the service (OTLP/HTTP protobuf), then the service's RSS is read from /proc and
/// GET /metrics is timed. The baseline is the same service, started and idle, measured the same way.
/// </summary>
internal static class Tenants
{
    public static async Task RunAsync(Options options)
    {
        var next = 0;
        var workload = new Workload(seed: 7, tenants: options.TenantCount);
        var batches = (options.TenantCount + options.Triples - 1) / options.Triples;
        var templates = Enumerable.Range(0, batches).Select(_ => workload.Batch(options.Triples, () => next++ % options.TenantCount)).ToList();
        var encoded = templates.Select(t => EncodedBatch.Encode(t, Transport.HttpProtobuf)).ToList();

        using var service = await ServiceProcess.StartAsync(options.ServiceDll, options.ServiceCpus, options.ServiceArgs);
        await Task.Delay(1000);
        var idleRss = service.ResidentBytes();
        var idleScrape = await TimeScrapesAsync(service);

        // Each connection sends its own slice of the batches, each batch twice: every tenant is seen.
        var counts = new SendCounts();
        var per = (encoded.Count + options.Connections - 1) / options.Connections;
        var senders = Enumerable.Range(0, options.Connections)
            .Select(i => encoded.Skip(i * per).Take(per).ToList())
            .Where(slice => slice.Count > 0)
            .Select(slice => (Sender: new Sender(Transport.HttpProtobuf, service, slice, 0), Count: slice.Count))
            .ToList();
        await Task.WhenAll(senders.Select(s => Task.Run(() => s.Sender.RunAsync(counts, () => true, maxRequests: s.Count * 2))));
        senders.ForEach(s => s.Sender.Dispose());
        var exact = await Throughput.DrainAsync(service, "protocol=\"http_protobuf\"", workload.PricedCallsPerBatch);
        await Task.Delay(1000);

        var rss = service.ResidentBytes();
        var peak = service.PeakResidentBytes();
        var scrape = await TimeScrapesAsync(service);
        Console.WriteLine();
        Console.WriteLine($"## {options.TenantCount:N0} tenants through the service ({counts.Ok:N0} requests of {workload.SpansPerBatch} spans; priced exactly: {exact})");
        Console.WriteLine();
        Console.WriteLine($"tenant series: ai_tenant_cost_usd_total {scrape.Metrics.Series("ai_tenant_cost_usd_total"):N0}, ai_tenant_requests_total {scrape.Metrics.Series("ai_tenant_requests_total"):N0}; overflowed calls {scrape.Metrics.Sum("ai_tenant_overflow_total"):N0}; /metrics body {scrape.Bytes / 1e6:0.0} MB");
        Console.WriteLine();
        Console.WriteLine("| measure | idle service (baseline) | after 10,000 tenants | target | measured / target |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| RSS (MB) | {idleRss / 1e6:0} | {rss / 1e6:0} (peak {peak / 1e6:0}) | 300 | {rss / 1e6 / 300:0.00}× |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| GET /metrics, median of 10 (ms) | {idleScrape.Median:0.0} | {scrape.Median:0.0} (max {scrape.Max:0.0}) | 150 | {scrape.Median / 150:0.00}× |"));
    }

    private static async Task<(double Median, double Max, MetricsText Metrics, int Bytes)> TimeScrapesAsync(ServiceProcess service)
    {
        var times = new List<double>();
        MetricsText? last = null;
        var bytes = 0;
        for (var i = 0; i < 10; i++)
        {
            var (m, elapsed, b) = await service.ScrapeAsync();
            times.Add(elapsed.TotalMilliseconds);
            last = m;
            bytes = b;
        }

        times.Sort();
        return ((times[4] + times[5]) / 2, times[^1], last!, bytes);
    }
}
