using BenchmarkDotNet.Running;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/UnitEconomics.Benchmarks -- --filter '*'
/// (a class with Main rather than top-level statements: the exporter's public Program is referenced).
/// <c>-- --profile SECONDS [TARGET]</c> instead runs one target in a plain loop, for <c>perf record</c> (with
/// <c>DOTNET_PerfMapEnabled=1</c>) to see where its time goes, and prints its best 10,000-call window: on a
/// busy machine that figure moves far less between runs than the averages, so A/B comparisons use it.
/// TARGET is a pipeline of <see cref="ProcessorOverheadBenchmarks"/> (empty-processor, floor-processor,
/// cost-processor (the default), cost-processor-inline, or engine-only: the inline processor without a sink), or a stage of
/// <see cref="EngineStageBenchmarks"/> on one reused span (stage:normalize, stage:engine, stage:engine+prometheus).
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

    private static void Profile(TimeSpan duration, string target)
    {
        Action call;
        Action cleanup = static () => { };
        if (target.StartsWith("stage:", StringComparison.Ordinal))
        {
            var stages = new EngineStageBenchmarks();
            stages.Setup();
            call = target switch
            {
                "stage:normalize" => () => stages.Normalize(),
                "stage:engine" => stages.EngineWithNullSink,
                "stage:engine+prometheus" => stages.EngineWithPrometheusSink,
                _ => throw new ArgumentException($"Unknown stage {target}."),
            };
        }
        else
        {
            var bench = new ProcessorOverheadBenchmarks { Pipeline = target };
            bench.Setup();
            call = bench.GenAiSpan;
            cleanup = bench.Cleanup;
        }

        // Warm up first (tiered compilation), then count wall and process CPU time over the rest.
        Run(call, TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds / 3)), out _);
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var calls = Run(call, duration, out var bestWindowNs);
        var wallNs = clock.Elapsed.TotalNanoseconds;
        cleanup(); // prices what still waits for the pricing thread: its CPU time is the pipeline's too
        var cpuNs = (Environment.CpuUsage.TotalTime - cpu).TotalNanoseconds;
        Console.WriteLine($"{target}: {calls:N0} calls, {wallNs / calls:F0} ns per call (wall), {cpuNs / calls:F0} ns per call (process CPU), {bestWindowNs:F0} ns per call (best window)");
    }

    private static long Run(Action call, TimeSpan duration, out double bestWindowNs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long calls = 0;
        bestWindowNs = double.MaxValue;
        while (clock.Elapsed < duration)
        {
            var start = clock.Elapsed;
            for (var n = 0; n < 10_000; n++)
            {
                call();
            }

            bestWindowNs = Math.Min(bestWindowNs, (clock.Elapsed - start).TotalNanoseconds / 10_000);
            calls += 10_000;
        }

        return calls;
    }
}
