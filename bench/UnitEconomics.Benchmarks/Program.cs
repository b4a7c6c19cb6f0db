using BenchmarkDotNet.Running;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/UnitEconomics.Benchmarks -- --filter '*'
/// (a class with Main rather than top-level statements: the exporter's public Program is referenced).
/// </summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
