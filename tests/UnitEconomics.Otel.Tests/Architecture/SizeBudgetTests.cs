using Xunit;

namespace UnitEconomics.Otel.Tests.Architecture;

/// <summary>
/// The size budgets of docs/architecture.md, counted as its command counts them (non-blank lines of the
/// C# sources, build output left out): a file a newcomer reads in one sitting, and a service that only
/// decodes OTLP into what the engine reads.
/// </summary>
public sealed class SizeBudgetTests
{
    private const int MaxFileLines = 400;
    private const int MaxExporterLines = 3_200;

    [Fact]
    public void No_source_file_is_over_400_non_blank_lines()
    {
        var sources = Sources("src").ToList();
        Assert.True(sources.Count > 100, "the sources were found");
        var tooLong = sources.Where(s => s.Lines > MaxFileLines).Select(s => $"{s.File}: {s.Lines}").ToList();
        Assert.True(tooLong.Count == 0, "over " + MaxFileLines + " non-blank lines: " + string.Join(", ", tooLong));
    }

    [Fact]
    public void The_exporter_stays_within_its_line_budget()
    {
        var lines = Sources(Path.Combine("src", "UnitEconomics.Exporter")).Sum(s => s.Lines);
        Assert.InRange(lines, 1_000, MaxExporterLines);
    }

    private static IEnumerable<(string File, int Lines)> Sources(string folder)
    {
        var root = FolderGraphTests.RepositoryRoot();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("obj") || parts.Contains("bin"))
            {
                continue;
            }

            yield return (relative, File.ReadLines(file).Count(line => !string.IsNullOrWhiteSpace(line)));
        }
    }
}
