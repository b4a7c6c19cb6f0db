using System.Globalization;
using System.Text.Json;
using CsvHelper;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Cli.Tests.Reporting;

/// <summary>The files <c>ue demo --out</c> writes load in ordinary tools: JSON parsers and CSV readers.</summary>
public sealed class ReportExportTests
{
    [Fact]
    public async Task Json_output_has_no_byte_order_mark_and_parses()
    {
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "r.json");
        var (code, output) = await Ue("demo", "--days", "2", "--quiet", "--format", "json", "--out", file);
        Assert.True(code == 0, output);

        var bytes = await File.ReadAllBytesAsync(file);
        Assert.NotEqual(0xEF, bytes[0]); // a UTF-8 BOM makes Python's json.load and others fail
        using var doc = JsonDocument.Parse(bytes);
        Assert.Equal(3, doc.RootElement.GetProperty("schema_version").GetInt32());
        Assert.True(doc.RootElement.GetProperty("total_cost").GetDecimal() > 0);
        Assert.False(doc.RootElement.GetProperty("monthly_figures").GetBoolean()); // 2 days do not stand for a month
    }

    [Fact]
    public async Task Csv_output_is_one_tidy_file_per_table()
    {
        using var dir = new TempFolder();
        var (code, output) = await Ue("demo", "--days", "7", "--quiet", "--format", "csv", "--out", dir.Path);
        Assert.True(code == 0, output);

        var files = Directory.GetFiles(dir.Path, "*.csv").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["agents.csv", "models.csv", "rag_queries.csv", "realised_savings.csv", "red_flags.csv", "savings.csv", "tenants.csv", "tiers.csv", "use_cases.csv", "user_requests.csv"], files);
        foreach (var path in Directory.GetFiles(dir.Path, "*.csv"))
        {
            Assert.NotEqual(0xEF, (await File.ReadAllBytesAsync(path))[0]);
            using var reader = new StreamReader(path);
            using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
            Assert.True(await csv.ReadAsync(), path);
            csv.ReadHeader();
            var header = csv.HeaderRecord!;
            Assert.Equal(header.Length, header.Distinct(StringComparer.Ordinal).Count()); // one header, no repeated names
            var rows = 0;
            while (await csv.ReadAsync())
            {
                rows++;
                Assert.Equal(header.Length, csv.Parser.Count); // every row as wide as the header
                for (var i = 0; i < header.Length; i++)
                {
                    var cell = csv.GetField(i)!;
                    if (decimal.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && cell.Contains('.', StringComparison.Ordinal))
                    {
                        Assert.True(cell.Length - cell.IndexOf('.', StringComparison.Ordinal) - 1 <= 9, $"{Path.GetFileName(path)} {header[i]}: {cell}");
                    }
                }
            }

            Assert.True(rows > 0 || Path.GetFileName(path) is "realised_savings.csv" or "red_flags.csv", path);
        }

        // Money columns hold raw USD, text columns words: the tenants file sums to the JSON total.
        var tenants = File.ReadAllLines(Path.Combine(dir.Path, "tenants.csv"));
        Assert.StartsWith("tenant,tier,cost_usd,calls,", tenants[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_without_an_output_folder_is_a_usage_error()
    {
        var (code, output) = await Ue("demo", "--days", "1", "--quiet", "--format", "csv");
        Assert.Equal(2, code);
        Assert.Contains("--out FOLDER", output, StringComparison.Ordinal);
    }

    private static Task<(int, string)> Ue(params string[] args) =>
        ManagedProcess.RunAsync("dotnet", [RepoPaths.UeAssembly, .. args], timeout: TimeSpan.FromMinutes(3));

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ue-export-").FullName;

        public void Dispose() => Directory.Delete(this.Path, recursive: true);
    }
}
