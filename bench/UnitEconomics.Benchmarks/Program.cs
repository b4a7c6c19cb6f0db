using BenchmarkDotNet.Running;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/UnitEconomics.Benchmarks -- --filter '*'
/// (a class with Main rather than top-level statements: the exporter's public Program is referenced).
/// <c>-- --profile SECONDS [PIPELINE]</c> instead runs one pipeline of <see cref="ProcessorOverheadBenchmarks"/>
/// (default cost-processor; also engine-only, the cost processor without a sink) in a plain loop, for <c>perf record</c> (with <c>DOTNET_PerfMapEnabled=1</c>)
/// to see where its time goes, and prints its best 10,000-span window, the steadiest figure for A/B comparisons on a busy machine.
/// </summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args)
    {
        if (args is ["--profile", var seconds, ..])
        {
            Profile(TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)), args.Length > 2 ? args[2] : "cost-processor");
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }

    private static void Profile(TimeSpan duration, string pipeline)
    {
        var bench = new ProcessorOverheadBenchmarks { Pipeline = pipeline };
        bench.Setup();

        // Warm up first (tiered compilation), then count wall and process CPU time over the rest: on a
        // shared machine the CPU time per span is the steadier figure.
        Run(bench, TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds / 3)), out _);
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var spans = Run(bench, duration, out var bestWindowNs);
        var cpuNs = (Environment.CpuUsage.TotalTime - cpu).TotalNanoseconds;
        bench.Cleanup();

        // The best 10,000-span window is what the code costs when nothing else took the core meanwhile:
        // on a shared machine it moves far less between runs than the averages, so A/B comparisons use it.
        Console.WriteLine($"{pipeline}: {spans:N0} spans, {clock.Elapsed.TotalNanoseconds / spans:F0} ns per span (wall), {cpuNs / spans:F0} ns per span (process CPU), {bestWindowNs:F0} ns per span (best window)");
    }

    private static long Run(ProcessorOverheadBenchmarks bench, TimeSpan duration, out double bestWindowNs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long spans = 0;
        bestWindowNs = double.MaxValue;
        while (clock.Elapsed < duration)
        {
            var start = clock.Elapsed;
            for (var n = 0; n < 10_000; n++)
            {
                bench.GenAiSpan();
            }

            bestWindowNs = Math.Min(bestWindowNs, (clock.Elapsed - start).TotalNanoseconds / 10_000);
            spans += 10_000;
        }

        return spans;
    }
}
