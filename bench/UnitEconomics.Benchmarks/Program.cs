using BenchmarkDotNet.Running;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/UnitEconomics.Benchmarks -- --filter '*'
/// (a class with Main rather than top-level statements: the exporter's public Program is referenced).
/// <c>-- --profile SECONDS [PIPELINE]</c> instead runs one pipeline of <see cref="ProcessorOverheadBenchmarks"/>
/// (default cost-processor) in a plain loop, for <c>perf record</c> (with <c>DOTNET_PerfMapEnabled=1</c>)
/// to see where its time goes, or <c>perf stat -e cycles:u</c> to count its cycles on a busy machine.
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
        Run(bench, TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds / 3)));
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var spans = Run(bench, duration);
        var cpuNs = (Environment.CpuUsage.TotalTime - cpu).TotalNanoseconds;
        bench.Cleanup();
        Console.WriteLine($"{pipeline}: {spans:N0} spans, {clock.Elapsed.TotalNanoseconds / spans:F0} ns per span (wall), {cpuNs / spans:F0} ns per span (process CPU)");
    }

    private static long Run(ProcessorOverheadBenchmarks bench, TimeSpan duration)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long spans = 0;
        while (clock.Elapsed < duration)
        {
            for (var n = 0; n < 10_000; n++)
            {
                bench.GenAiSpan();
            }

            spans += 10_000;
        }

        return spans;
    }
}
