using System.Diagnostics;
using System.Text;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A real server process started by a test and killed (with its process tree) when disposed. Its
/// output is kept so a failure to start says why.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ManagedProcess(Process process)
    {
        this.process = process;
    }

    public string Output
    {
        get
        {
            lock (this.output)
            {
                return this.output.ToString();
            }
        }
    }

    public bool HasExited => this.process.HasExited;

    public static ManagedProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Polls <paramref name="url"/> until it answers 2xx, the process dies, or the timeout passes.</summary>
    public async Task WaitForHttpAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (this.process.HasExited)
            {
                throw new InvalidOperationException($"{this.process.StartInfo.FileName} exited with {this.process.ExitCode} before {url} answered:\n{this.Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(url));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} did not answer within {timeout}:\n{this.Output}");
    }

    /// <summary>Waits for the process to exit on its own; returns its exit code once its output is all read.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await this.process.WaitForExitAsync(cancellationToken);
        this.process.WaitForExit(); // flushes the async output readers
        return this.process.ExitCode;
    }

    /// <summary>Runs a command to completion (promtool, amtool) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        await using var p = Start(fileName, arguments, workingDirectory, environment);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await p.process.WaitForExitAsync(cts.Token);
        p.process.WaitForExit(); // flushes the async output readers
        return (p.process.ExitCode, p.Output);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!this.process.HasExited)
            {
                this.process.Kill(entireProcessTree: true);
                await this.process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (TimeoutException)
        {
        }

        this.process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (this.output)
        {
            if (this.output.Length < 1_000_000)
            {
                this.output.AppendLine(line);
            }
        }
    }
}
