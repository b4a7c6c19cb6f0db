using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A real InfluxDB 1.x (<c>influxd</c>) on loopback, on free ports, with its data in a temp folder
/// deleted on dispose. It can be stopped and started again on the same ports and data (an outage).
/// </summary>
public sealed class InfluxDbServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string binary;
    private readonly string root;
    private readonly string configPath;
    private readonly HttpClient http;
    private ManagedProcess? process;

    private InfluxDbServer(string binary, string database, string? username, string? password)
    {
        this.binary = binary;
        this.Database = database;
        this.Username = username;
        this.Password = password;
        this.HttpPort = ExternalBinary.FreePort();
        this.RpcPort = ExternalBinary.FreePort();
        this.root = Directory.CreateTempSubdirectory("influxd-test-").FullName;
        this.configPath = Path.Combine(this.root, "influxdb.conf");
        File.WriteAllText(this.configPath, this.Config(authEnabled: username is not null));
        this.http = new HttpClient { BaseAddress = this.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (username is not null)
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
            this.http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }
    }

    public Uri Url => new($"http://127.0.0.1:{this.HttpPort}/");

    public int HttpPort { get; }

    public int RpcPort { get; }

    public string Database { get; }

    /// <summary>Admin user when the server was started with auth enabled.</summary>
    public string? Username { get; }

    public string? Password { get; }

    public bool IsRunning => this.process is { HasExited: false };

    /// <summary>
    /// Starts a server and creates <paramref name="database"/>. A missing influxd skips the test outside
    /// CI and fails it under CI=true (<see cref="ExternalBinary.Require"/>).
    /// With a <paramref name="username"/>, auth is enabled and that user is created as admin.
    /// </summary>
    public static async Task<InfluxDbServer> StartNewAsync(string database = "ue_test", string? username = null, string? password = null)
    {
        var binary = ExternalBinary.Require("influxd", "influxdb");

        var server = new InfluxDbServer(binary, database, username, password);
        try
        {
            await server.StartAsync();
            if (username is not null)
            {
                // With auth on and no user yet, influxd accepts exactly this statement unauthenticated.
                await server.ExecuteAsync($"CREATE USER \"{username}\" WITH PASSWORD '{password}' WITH ALL PRIVILEGES");
            }

            await server.ExecuteAsync($"CREATE DATABASE \"{database}\"");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts influxd (again) on the same ports and data directory and waits for <c>/ping</c>.</summary>
    public async Task StartAsync()
    {
        if (this.IsRunning)
        {
            return;
        }

        if (this.process is not null)
        {
            await this.process.DisposeAsync();
        }

        this.process = ManagedProcess.Start(this.binary, ["run", "-config", this.configPath], this.root);
        await this.process.WaitForHttpAsync(new Uri(this.Url, "ping").ToString(), StartTimeout);
    }

    /// <summary>Kills influxd (as a crash would); written points are in its WAL and survive.</summary>
    public async Task StopAsync()
    {
        if (this.process is not null)
        {
            await this.process.DisposeAsync();
            this.process = null;
        }
    }

    /// <summary>Runs a statement that returns no rows (CREATE, DROP) and fails on an InfluxQL error.</summary>
    public async Task ExecuteAsync(string influxql)
    {
        using var content = new FormUrlEncodedContent([new("q", influxql)]);
        using var response = await this.http.PostAsync(new Uri("query", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || text.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"influxd refused '{influxql}': {(int)response.StatusCode} {text}");
        }
    }

    /// <summary>
    /// Runs an InfluxQL query against <see cref="Database"/> (times as epoch nanoseconds) and returns
    /// every row of every series of the first statement.
    /// </summary>
    public async Task<IReadOnlyList<InfluxRow>> QueryAsync(string influxql)
    {
        var uri = new Uri(
            $"query?db={Uri.EscapeDataString(this.Database)}&epoch=ns&q={Uri.EscapeDataString(influxql)}",
            UriKind.Relative);
        using var response = await this.http.GetAsync(uri);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"influxd query '{influxql}' failed: {(int)response.StatusCode} {text}");
        }

        using var doc = JsonDocument.Parse(text);
        var rows = new List<InfluxRow>();
        foreach (var result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"influxd query '{influxql}' failed: {error.GetString()}");
            }

            if (!result.TryGetProperty("series", out var series))
            {
                continue;
            }

            foreach (var s in series.EnumerateArray())
            {
                var name = s.GetProperty("name").GetString() ?? string.Empty;
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                if (s.TryGetProperty("tags", out var t))
                {
                    foreach (var p in t.EnumerateObject())
                    {
                        tags[p.Name] = p.Value.GetString() ?? string.Empty;
                    }
                }

                var columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
                if (!s.TryGetProperty("values", out var values))
                {
                    continue;
                }

                foreach (var v in values.EnumerateArray())
                {
                    var cells = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    var i = 0;
                    foreach (var cell in v.EnumerateArray())
                    {
                        cells[columns[i++]] = cell.Clone();
                    }

                    rows.Add(new InfluxRow(name, tags, cells));
                }
            }

            break;
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await this.StopAsync();
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

    private string Config(bool authEnabled)
    {
        // Everything but the HTTP API is off: no UDP, graphite, collectd, opentsdb, no self-monitoring,
        // no usage reporting. Paths are absolute inside the temp folder.
        var meta = Path.Combine(this.root, "meta");
        var data = Path.Combine(this.root, "data");
        var wal = Path.Combine(this.root, "wal");
        return string.Create(CultureInfo.InvariantCulture, $"""
            reporting-enabled = false
            bind-address = "127.0.0.1:{this.RpcPort}"

            [meta]
              dir = "{meta}"
              retention-autocreate = true
              logging-enabled = false

            [data]
              dir = "{data}"
              wal-dir = "{wal}"
              wal-fsync-delay = "0s"
              index-version = "inmem"
              query-log-enabled = false

            [monitor]
              store-enabled = false

            [subscriber]
              enabled = false

            [continuous_queries]
              enabled = false

            [shard-precreation]
              enabled = false

            [http]
              enabled = true
              bind-address = "127.0.0.1:{this.HttpPort}"
              auth-enabled = {(authEnabled ? "true" : "false")}
              log-enabled = false
              pprof-enabled = false
              flux-enabled = false

            [logging]
              level = "warn"
              suppress-logo = true

            [[graphite]]
              enabled = false

            [[collectd]]
              enabled = false

            [[opentsdb]]
              enabled = false

            [[udp]]
              enabled = false
            """);
    }
}

/// <summary>One row of an InfluxQL result: its series name, GROUP BY tags and column values.</summary>
public sealed record InfluxRow(string Measurement, IReadOnlyDictionary<string, string> Tags, IReadOnlyDictionary<string, JsonElement> Values)
{
    public long Long(string column) => this.Values[column].GetInt64();

    public double Double(string column) => this.Values[column].GetDouble();

    public string? String(string column) => this.Values[column].ValueKind == JsonValueKind.Null ? null : this.Values[column].GetString();

    public bool IsNull(string column) => !this.Values.TryGetValue(column, out var v) || v.ValueKind == JsonValueKind.Null;
}
