using System.Diagnostics;
using System.Globalization;

namespace UnitEconomics.LoadGenerator;

/// <summary>
/// The soak: one service held at a sustained rate (by default 80 % of the ceiling it measures first on
/// the same process) with the usual mix (chat, RAG and agent tasks) spread over <see cref="Options.TenantCount"/>
/// tenants, for <see cref="Options.SoakMinutes"/>. Every <see cref="Options.SampleSeconds"/> it samples
/// RSS, GC (collections, pause time, allocation) and the ingest queue (requests, bytes, traces in
/// flight); at the end it drains and checks every accepted call was priced. What it reports is whether
/// memory is flat after warm-up: max and min RSS over the samples after warm-up, against the first.
/// </summary>
internal static class Soak
{
    public static async Task RunAsync(Options options)
    {
        var workload = new Workload(seed: 11, tenants: options.TenantCount);
        var templates = Enumerable.Range(0, Math.Max(options.Templates, 64)).Select(_ => workload.Batch(options.Triples)).ToList();
        var encoded = templates.Select(t => EncodedBatch.Encode(t, Transport.HttpProtobuf)).ToList();
        int spans = workload.SpansPerBatch, calls = workload.PricedCallsPerBatch;
        const string protocol = "protocol=\"http_protobuf\"";
        using var service = await ServiceProcess.StartAsync(options.ServiceDll, options.ServiceCpus, options.ServiceArgs);

        // The ceiling: as fast as the connections go, on this same process (it also warms the JIT).
        var counts = new SendCounts();
        var ceiling = options.SoakRate;
        if (ceiling is null)
        {
            var running = true;
            var probes = Enumerable.Range(0, options.Connections).Select(i => new Sender(Transport.HttpProtobuf, service, encoded, i * 5)).ToList();
            var load = probes.Select(s => Task.Run(() => s.RunAsync(counts, () => Volatile.Read(ref running)))).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(options.Warmup));
            var (m0, _, _) = await service.ScrapeAsync();
            var watch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
            var (m1, _, _) = await service.ScrapeAsync();
            var measured = (Throughput.Ok(m1, protocol) - Throughput.Ok(m0, protocol)) * spans / watch.Elapsed.TotalSeconds;
            Volatile.Write(ref running, false);
            await Task.WhenAll(load);
            probes.ForEach(p => p.Dispose());
            ceiling = measured * options.SoakFraction;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ceiling: {measured:N0} spans/s accepted over {options.Seconds:0} s; soak rate {options.SoakFraction:P0} of it"));
        }

        var rate = ceiling.Value;
        var requestsPerSecond = rate / spans;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## Soak: {rate:N0} spans/s ({requestsPerSecond:0.0} requests of {spans} spans: {calls} model calls, {workload.AgentTasksPerBatch} agent tasks each) over {options.TenantCount:N0} tenants for {options.SoakMinutes:0.#} min"));
        Console.WriteLine();
        Console.WriteLine("| minute | RSS (MB) | accepted spans/s | saturated | gen0 | gen1 | gen2 | GC paused (ms/s) | allocated (MB/s) | queue (requests) | queue (KB) | traces in flight |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        // Paced senders: each connection sends its share of the requests at a fixed interval.
        var soakCounts = new SendCounts();
        var keepGoing = true;
        var interval = TimeSpan.FromSeconds(options.Connections / requestsPerSecond);
        var senders = Enumerable.Range(0, options.Connections).Select(i => new Sender(Transport.HttpProtobuf, service, encoded, i * 7)).ToList();
        var pacing = senders.Select(s => Task.Run(() => PacedAsync(s, soakCounts, interval, () => Volatile.Read(ref keepGoing)))).ToArray();

        var samples = new List<(double Minute, long Rss)>();
        var start = Stopwatch.StartNew();
        var (previous, _, _) = await service.ScrapeAsync();
        var previousAt = start.Elapsed;
        long previousSaturated = 0;
        while (start.Elapsed < TimeSpan.FromMinutes(options.SoakMinutes))
        {
            await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds));
            var (m, _, _) = await service.ScrapeAsync();
            var now = start.Elapsed;
            var seconds = (now - previousAt).TotalSeconds;
            double Delta(string name, params string[] labels) => m.Sum(name, labels) - previous.Sum(name, labels);
            var rss = service.ResidentBytes();
            var saturated = Interlocked.Read(ref soakCounts.Saturated);
            samples.Add((now.TotalMinutes, rss));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {now.TotalMinutes:0.0} | {rss / 1e6:0} | {(Throughput.Ok(m, protocol) - Throughput.Ok(previous, protocol)) * spans / seconds:N0} | {saturated - previousSaturated:N0} "
                + $"| {Delta("dotnet_collection_count_total", "generation=\"0\""):0} | {Delta("dotnet_collection_count_total", "generation=\"1\""):0} | {Delta("dotnet_collection_count_total", "generation=\"2\""):0} "
                + $"| {Delta("ai_exporter_gc_pause_seconds_total") * 1000 / seconds:0.0} | {Delta("ai_exporter_allocated_bytes_total") / 1e6 / seconds:0.0} "
                + $"| {m.Sum("ai_exporter_queue_depth"):0} | {m.Sum("ai_exporter_queue_bytes") / 1024:0} | {m.Sum("ai_exporter_traces_in_flight"):N0} |"));
            previous = m;
            previousAt = now;
            previousSaturated = saturated;
        }

        Volatile.Write(ref keepGoing, false);
        await Task.WhenAll(pacing);
        senders.ForEach(s => s.Dispose());
        var exact = await Throughput.DrainAsync(service, protocol, calls);

        // Flat after warm-up: the samples past the first fifth of the run (at least the first minute) against the first of them.
        var warm = samples.Where(s => s.Minute >= Math.Max(1, options.SoakMinutes / 5)).ToList();
        Console.WriteLine();
        if (warm.Count > 0)
        {
            var first = warm[0].Rss;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RSS after warm-up (from minute {warm[0].Minute:0.0}): first {first / 1e6:0} MB, min {warm.Min(s => s.Rss) / 1e6:0} MB, max {warm.Max(s => s.Rss) / 1e6:0} MB, last {warm[^1].Rss / 1e6:0} MB; "
                + $"spread {(warm.Max(s => s.Rss) - warm.Min(s => s.Rss)) * 100.0 / first:0.0} % of the first (target: within 10 %)"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"requests: {soakCounts.Ok:N0} accepted, {soakCounts.Saturated:N0} saturated, {soakCounts.Failed:N0} failed; priced exactly after drain: {exact}; peak RSS {service.PeakResidentBytes() / 1e6:0} MB"));
    }

    /// <summary>Sends one request per <paramref name="interval"/>, catching up without bursting past one behind.</summary>
    private static async Task PacedAsync(Sender sender, SendCounts counts, TimeSpan interval, Func<bool> keepGoing)
    {
        var clock = Stopwatch.StartNew();
        var due = TimeSpan.Zero;
        while (keepGoing())
        {
            await sender.RunAsync(counts, keepGoing, maxRequests: 1);
            due += interval;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            else if (wait < -interval)
            {
                due = clock.Elapsed; // fell behind: do not make up for it in a burst
            }
        }
    }
}
