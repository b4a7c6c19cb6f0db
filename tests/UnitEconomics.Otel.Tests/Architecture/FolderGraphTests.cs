using System.Text.RegularExpressions;
using Xunit;

namespace UnitEconomics.Otel.Tests.Architecture;

/// <summary>
/// The engine's folders depend on each other in one direction only (docs/architecture.md). Read from the
/// source: a file in folder A depends on folder B when it imports <c>UnitEconomics.Otel.B</c> or names a
/// type as <c>B.Type</c>. A cycle fails with its path, so the fix is obvious.
/// </summary>
public sealed partial class FolderGraphTests
{
    // Builder extensions live in the namespace of the builder they extend, as the libraries they extend do.
    private static readonly string[] ExtensionNamespaces = ["OpenTelemetry.Trace", "Microsoft.Extensions.AI", "Microsoft.Extensions.DependencyInjection"];

    [Fact]
    public void The_engine_has_no_folder_cycle()
    {
        var graph = Graph();
        Assert.True(graph.Count >= 10, "the engine's folders were found");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, "folder cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void Each_file_is_in_the_namespace_of_its_folder()
    {
        foreach (var (file, folder, ns) in Files())
        {
            Assert.True(ns == "UnitEconomics.Otel." + folder || ExtensionNamespaces.Contains(ns), $"{file}: namespace {ns} in folder {folder}");
        }
    }

    [Fact]
    public void A_cycle_is_found_and_named()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Engine"] = ["Agents", "Spans"],
            ["Agents"] = ["Spans", "Budgets"],
            ["Budgets"] = ["Engine"],
            ["Spans"] = [],
        };

        Assert.Equal(["Agents", "Budgets", "Engine", "Agents"], FindCycle(graph));
        graph["Budgets"].Clear();
        Assert.Null(FindCycle(graph));
    }

    internal static Dictionary<string, HashSet<string>> Graph()
    {
        var files = Files().ToList();
        var folders = files.Select(f => f.Folder).ToHashSet(StringComparer.Ordinal);
        var graph = folders.ToDictionary(f => f, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (file, folder, _) in files)
        {
            var code = Comments().Replace(File.ReadAllText(file), string.Empty);
            foreach (Match use in Using().Matches(code))
            {
                graph[folder].Add(use.Groups[1].Value);
            }

            foreach (Match qualified in Qualified().Matches(code))
            {
                if (folders.Contains(qualified.Groups[1].Value))
                {
                    graph[folder].Add(qualified.Groups[1].Value);
                }
            }

            graph[folder].Remove(folder);
        }

        return graph;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static IEnumerable<(string File, string Folder, string Namespace)> Files()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "UnitEconomics.Otel");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)] : ".";
            var ns = Namespace().Match(File.ReadAllText(file)).Groups[1].Value;
            yield return (file, folder, ns);
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "src", "UnitEconomics.Otel")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with src/UnitEconomics.Otel) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using UnitEconomics\.Otel\.(\w+);", RegexOptions.Multiline)]
    private static partial Regex Using();

    // Agents.TaskKey or UnitEconomics.Otel.Agents.TaskKey: a type named through its folder's namespace.
    [GeneratedRegex(@"(?<![\w.])(?:UnitEconomics\.Otel\.)?([A-Z]\w+)\.[A-Z]\w*")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();
}
