using System.Diagnostics;
using System.Globalization;
using UnitEconomics.LoadGenerator;

// Load generator for the exporter service. Starts the service itself (a separate process on loopback,
// pinned with taskset), drives it with pre-encoded OTLP batches over N connections for a bounded time,
// and reads the service's own /metrics for what it accepted and what its engine priced.
//
//   dotnet run -c Release --project bench/UnitEconomics.LoadGenerator -- [options]
//     --scenario throughput|tenants|soak|all   (all: throughput and tenants; soak runs only when named)
//     --transports http-protobuf,grpc,http-json
//     --seconds 10 --warmup 45 --connections 4 --triples 27 --templates 16
//     --service-cpus 1 --generator-cpus 0 --tenants 200 --tenant-count 10000
//     --service PATH/UnitEconomics.Exporter.dll  --service-arg --Exporter:Ingest:Workers=1 (repeatable)
//     soak: --soak-minutes 30 --soak-fraction 0.8 (of the ceiling measured first over --seconds) or --soak-rate SPANS_PER_S,
//           --sample-seconds 30; tenants from --tenant-count
var options = Options.Parse(args);
if (options.GeneratorCpus is { } mask && OperatingSystem.IsLinux())
{
    Process.GetCurrentProcess().ProcessorAffinity = mask;
}

Console.WriteLine($"service: {options.ServiceDll}");
Console.WriteLine($"service cores: {options.ServiceCpus ?? "all"}; generator cores: {options.GeneratorCpusText ?? "all"}; connections: {options.Connections}; load average: {File.ReadAllText("/proc/loadavg").Trim()}");
if (options.Scenario is "throughput" or "all")
{
    await Throughput.RunAsync(options);
}

if (options.Scenario is "tenants" or "all")
{
    await Tenants.RunAsync(options);
}

if (options.Scenario is "soak")
{
    await Soak.RunAsync(options);
}

return 0;

internal sealed class Options
{
    public string Scenario { get; private set; } = "all";

    public List<Transport> Transports { get; } = [];

    public double Seconds { get; private set; } = 10;

    public double Warmup { get; private set; } = 45; // on one core the JIT's tiering (PGO) takes this long to settle

    public int Connections { get; private set; } = 4;

    public int Triples { get; private set; } = 27;

    public int Templates { get; private set; } = 16;

    public string? ServiceCpus { get; private set; } = "1";

    public nint? GeneratorCpus { get; private set; }

    public string? GeneratorCpusText { get; private set; } = "0";

    public int TenantsInMix { get; private set; } = 200;

    public int TenantCount { get; private set; } = 10_000;

    public string ServiceDll { get; private set; } = DefaultServiceDll();

    public double SoakMinutes { get; private set; } = 30;

    public double SoakFraction { get; private set; } = 0.8;

    public double? SoakRate { get; private set; }

    public double SampleSeconds { get; private set; } = 30;

    public List<string> ServiceArgs { get; } = [];

    public static Options Parse(string[] args)
    {
        var o = new Options();
        string? generatorCpus = "0";
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--scenario": o.Scenario = Next(); break;
                case "--transports":
                    o.Transports.AddRange(Next().Split(',').Select(t => t switch
                    {
                        "http-protobuf" => Transport.HttpProtobuf,
                        "grpc" => Transport.Grpc,
                        "http-json" => Transport.HttpJson,
                        _ => throw new ArgumentException("unknown transport " + t),
                    }));
                    break;
                case "--seconds": o.Seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": o.Warmup = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--connections": o.Connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--triples": o.Triples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--templates": o.Templates = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--service-cpus": o.ServiceCpus = Next() is "all" ? null : args[i]; break;
                case "--generator-cpus": generatorCpus = Next() is "all" ? null : args[i]; break;
                case "--tenants": o.TenantsInMix = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--tenant-count": o.TenantCount = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--service": o.ServiceDll = Path.GetFullPath(Next()); break;
                case "--service-arg": o.ServiceArgs.Add(Next()); break;
                case "--soak-minutes": o.SoakMinutes = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--soak-fraction": o.SoakFraction = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--soak-rate": o.SoakRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--sample-seconds": o.SampleSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }

        if (o.Transports.Count == 0)
        {
            o.Transports.AddRange([Transport.HttpProtobuf, Transport.Grpc, Transport.HttpJson]);
        }

        o.GeneratorCpusText = generatorCpus;
        if (generatorCpus is not null)
        {
            nint mask = 0;
            foreach (var cpu in generatorCpus.Split(','))
            {
                mask |= (nint)1 << int.Parse(cpu, CultureInfo.InvariantCulture);
            }

            o.GeneratorCpus = mask;
        }

        if (!File.Exists(o.ServiceDll))
        {
            throw new FileNotFoundException("build the service first: dotnet build -c Release src/UnitEconomics.Exporter", o.ServiceDll);
        }

        return o;
    }

    private static string DefaultServiceDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "UnitEconomics.Otel.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? ".", "src", "UnitEconomics.Exporter", "bin", "Release", "net10.0", "UnitEconomics.Exporter.dll");
    }
}
