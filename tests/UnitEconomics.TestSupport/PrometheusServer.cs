using System.Globalization;
using System.Text.Json;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A real Prometheus on loopback and a free port, with its config, rule files and TSDB in a temp folder
/// deleted on dispose. History can be backfilled (OpenMetrics text through <c>promtool tsdb
/// create-blocks-from openmetrics</c>) into the data folder before the server starts.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string root;
    private readonly HttpClient http;
    private ManagedProcess? process;

    private PrometheusServer(string root, int port)
    {
        this.root = root;
        this.Port = port;
        this.http = new HttpClient { BaseAddress = this.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{this.Port}/");

    /// <summary>The folder holding <c>prometheus.yml</c> and the other files (relative paths in the config resolve here).</summary>
    public string ConfigDirectory => this.root;

    /// <summary>What the server wrote to stdout/stderr so far (for failure messages).</summary>
    public string Output => this.process?.Output ?? string.Empty;

    /// <summary>
    /// Starts Prometheus with <paramref name="configYaml"/> as its config. <paramref name="files"/> are written
    /// beside it first (rule files, by relative name). <paramref name="openMetricsBackfill"/>, when given,
    /// is turned into TSDB blocks in the data folder before the start. A missing prometheus (or promtool,
    /// for a backfill) skips the test outside CI and fails it under CI=true (<see cref="ExternalBinary.Require"/>).
    /// </summary>
    public static async Task<PrometheusServer> StartNewAsync(string configYaml, IReadOnlyDictionary<string, string>? files = null, string? openMetricsBackfill = null)
    {
        var binary = ExternalBinary.Require("prometheus", "prometheus");

        var root = Directory.CreateTempSubdirectory("prometheus-test-").FullName;
        var server = new PrometheusServer(root, ExternalBinary.FreePort());
        try
        {
            var configPath = Path.Combine(root, "prometheus.yml");
            await File.WriteAllTextAsync(configPath, configYaml);
            foreach (var (name, text) in files ?? new Dictionary<string, string>())
            {
                await File.WriteAllTextAsync(Path.Combine(root, name), text);
            }

            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            if (openMetricsBackfill is not null)
            {
                await Backfill(root, data, openMetricsBackfill);
            }

            server.process = ManagedProcess.Start(
                binary,
                [
                    "--config.file=" + configPath,
                    "--storage.tsdb.path=" + data,
                    "--web.listen-address=127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture),
                    "--log.level=warn",
                ],
                root);
            await server.process.WaitForHttpAsync(new Uri(server.Url, "-/ready").ToString(), StartTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an instant query (<c>/api/v1/query</c>) and returns its <c>data.result</c> array; a PromQL error throws.</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        var data = await this.GetDataAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        return data.GetProperty("result");
    }

    /// <summary>The values of <paramref name="label"/> on series matching <paramref name="match"/> (Grafana's <c>label_values</c>).</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string label, string match)
    {
        var data = await this.GetDataAsync($"api/v1/label/{Uri.EscapeDataString(label)}/values?match[]={Uri.EscapeDataString(match)}");
        return data.EnumerateArray().Select(v => v.GetString()!).ToArray();
    }

    /// <summary>GETs an API path (relative to the server) and returns its <c>data</c>; a non-success status throws with the body.</summary>
    public async Task<JsonElement> GetDataAsync(string relative)
    {
        using var response = await this.http.GetAsync(new Uri(relative, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        if (!response.IsSuccessStatusCode || doc.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"prometheus {relative} failed: {(int)response.StatusCode} {text}");
        }

        return doc.RootElement.GetProperty("data").Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (this.process is not null)
        {
            await this.process.DisposeAsync();
            this.process = null;
        }

        this.http.Dispose();
        try
        {
            Directory.Delete(this.root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task Backfill(string root, string data, string openMetrics)
    {
        var promtool = ExternalBinary.Require("promtool", "prometheus");

        var input = Path.Combine(root, "backfill.om");
        await File.WriteAllTextAsync(input, openMetrics);
        var (code, output) = await ManagedProcess.RunAsync(promtool, ["tsdb", "create-blocks-from", "openmetrics", "--quiet", input, data], root);
        if (code != 0)
        {
            throw new InvalidOperationException($"promtool tsdb create-blocks-from openmetrics exited with {code}:\n{output}");
        }
    }
}
