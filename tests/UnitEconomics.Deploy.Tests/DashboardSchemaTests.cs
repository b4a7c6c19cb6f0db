using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests;

/// <summary>
/// Every dashboard checked against the schema Grafana publishes (npm <c>@grafana/schema</c>, its
/// <c>Dashboard</c> type), not only against this project's expectations: each JSON file becomes a
/// TypeScript object literal of that type and <c>tsc --strict</c> must accept it (required fields,
/// field types, enum values, no unknown top-level fields). Grafana itself cannot run here.
/// build/test.sh installs the pinned packages into dashboards/schema-check/node_modules.
/// </summary>
public sealed class DashboardSchemaTests
{
    /// <summary>
    /// The published types use TypeScript enums (ThresholdsMode.Absolute = "absolute"); a dashboard's JSON
    /// holds their string values, which this mapping accepts, and nothing else.
    /// </summary>
    private const string Prelude = """
        import type { Dashboard } from '@grafana/schema';
        type Json<T> = T extends string ? `${T}` : T extends (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
        """;

    private static readonly string CheckDir = RepoPaths.Combine("dashboards", "schema-check");

    [SkippableFact]
    public async Task Every_dashboard_is_a_valid_grafana_dashboard()
    {
        var files = Directory.GetFiles(RepoPaths.Combine("dashboards"), "*.json").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        var (code, output) = await CompileAsync("all", files.Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f))));
        Assert.True(code == 0, "tsc found dashboards that do not match Grafana's schema:\n" + output);
    }

    [SkippableFact]
    public async Task The_check_rejects_a_dashboard_that_breaks_the_schema()
    {
        // A real dashboard with one field of the wrong type and one enum value Grafana does not have.
        var overview = File.ReadAllText(RepoPaths.Combine("dashboards", "overview.json"))
            .Replace("\"graphTooltip\": 1", "\"graphTooltip\": \"shared\"", StringComparison.Ordinal)
            .Replace("\"mode\": \"absolute\"", "\"mode\": \"relative-ish\"", StringComparison.Ordinal);
        var (code, output) = await CompileAsync("broken", [("overview", overview)]);
        Assert.NotEqual(0, code);
        Assert.Contains("DashboardCursorSync", output, StringComparison.Ordinal); // graphTooltip is the cursor sync mode, a number
        Assert.Contains("relative-ish", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> CompileAsync(string run, IEnumerable<(string Name, string Json)> dashboards)
    {
        var node = ExternalBinary.Require("node", "nodejs");
        var tsc = Path.Combine(CheckDir, "node_modules", "typescript", "bin", "tsc");
        if (!File.Exists(tsc) || !Directory.Exists(Path.Combine(CheckDir, "node_modules", "@grafana", "schema")))
        {
            const string Missing = "Grafana's schema is not installed in dashboards/schema-check: run build/test.sh (it runs npm install there).";
            if (ExternalBinary.IsCi)
            {
                throw new InvalidOperationException("CI=true and " + Missing);
            }

            throw new SkipException(Missing);
        }

        // Beside node_modules, so the import resolves; one folder per run, so the two tests do not meet.
        var dir = Path.Combine(CheckDir, "generated", run + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var sources = new List<string>();
            foreach (var (name, json) in dashboards)
            {
                var path = Path.Combine(dir, name.Replace('-', '_') + ".ts");
                await File.WriteAllTextAsync(path, Prelude + $"export const dashboard: Json<Dashboard> = {json};\n");
                sources.Add(path);
            }

            return await ManagedProcess.RunAsync(
                node,
                [tsc, "--noEmit", "--strict", "--skipLibCheck", "--target", "es2020", "--module", "esnext", "--moduleResolution", "bundler", .. sources],
                CheckDir,
                TimeSpan.FromMinutes(3));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
