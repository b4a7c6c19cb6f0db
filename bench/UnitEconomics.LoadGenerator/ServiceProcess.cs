using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace UnitEconomics.LoadGenerator;

/// <summary>
/// The exporter service as a separate process on loopback, pinned to its own cores with
/// <c>taskset</c> (so <see cref="Environment.ProcessorCount"/> in it, and the workers it starts, follow),
/// on free ports. Disposing kills it (this process only, by its id).
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process process;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private ServiceProcess(Process process, int grpcPort, int httpPort, int metricsPort)
    {
        this.process = process;
        this.GrpcPort = grpcPort;
        this.HttpPort = httpPort;
        this.MetricsPort = metricsPort;
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public int MetricsPort { get; }

    public int Pid => this.process.Id;

    public static async Task<ServiceProcess> StartAsync(string dll, string? cpus, IEnumerable<string> extraArgs)
    {
        int grpc = FreePort(), httpPort = FreePort(), metrics = FreePort();
        var start = new ProcessStartInfo
        {
            FileName = cpus is null ? "dotnet" : "taskset",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpus is not null)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in new[]
        {
            "--Exporter:ListenAddress=127.0.0.1",
            $"--Exporter:OtlpGrpcPort={grpc}",
            $"--Exporter:OtlpHttpPort={httpPort}",
            $"--Exporter:MetricsPort={metrics}",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the service");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[service] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[service] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, grpc, httpPort, metrics);
        await service.WaitReadyAsync();
        return service;
    }

    /// <summary>The service's Prometheus exposition, and how long the GET took.</summary>
    public async Task<(MetricsText Metrics, TimeSpan Elapsed, int Bytes)> ScrapeAsync()
    {
        var watch = Stopwatch.StartNew();
        var text = await this.http.GetStringAsync($"http://127.0.0.1:{this.MetricsPort}/metrics");
        watch.Stop();
        return (new MetricsText(text), watch.Elapsed, System.Text.Encoding.UTF8.GetByteCount(text));
    }

    /// <summary>Resident set size from /proc (VmRSS), in bytes.</summary>
    public long ResidentBytes() => ReadStatusKb("VmRSS:") * 1024;

    /// <summary>Peak resident set size (VmHWM), in bytes.</summary>
    public long PeakResidentBytes() => ReadStatusKb("VmHWM:") * 1024;

    /// <summary>User + system CPU time the service has used (from /proc/PID/stat), in seconds.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{this.Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    public void Dispose()
    {
        try
        {
            if (!this.process.HasExited)
            {
                this.process.Kill();
                this.process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        this.process.Dispose();
        this.http.Dispose();
    }

    private long ReadStatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{this.Pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (this.process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with code {this.process.ExitCode}");
            }

            try
            {
                using var response = await this.http.GetAsync($"http://127.0.0.1:{this.MetricsPort}/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the service did not become ready in 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A Prometheus text exposition, summed by metric name and label filter.</summary>
internal sealed class MetricsText
{
    private readonly string[] lines;

    public MetricsText(string text) => this.lines = text.Split('\n');

    /// <summary>Sum of every sample of <paramref name="name"/> whose labels contain all of <paramref name="labels"/> (each <c>key="value"</c>).</summary>
    public double Sum(string name, params string[] labels)
    {
        var sum = 0.0;
        foreach (var line in this.lines)
        {
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line.AsSpan(name.Length);
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' '))
            {
                continue; // a longer name with the same prefix
            }

            var matches = true;
            foreach (var label in labels)
            {
                matches &= rest.IndexOf(label, StringComparison.Ordinal) >= 0;
            }

            if (matches)
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    /// <summary>Samples (series) of <paramref name="name"/>.</summary>
    public int Series(string name) =>
        this.lines.Count(l => l.StartsWith(name, StringComparison.Ordinal) && l.Length > name.Length && l[name.Length] is '{' or ' ');
}
