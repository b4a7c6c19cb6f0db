namespace UnitEconomics.TestSupport;

/// <summary>Locates the repository and the shared folder beside it from a test's working directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary><c>../shared</c> beside the clone (DESIGN.md, the LiteLLM catalog).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string LiteLlmCatalog => Path.Combine(Shared, "data", "litellm", "model_prices_and_context_window.json");

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// The <c>ue</c> program as built in its own folder (same configuration as the running test), so it
    /// runs with its own dependencies rather than the test project's.
    /// </summary>
    public static string UeAssembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            return Combine("src", "UnitEconomics.Cli", "bin", configuration, "net10.0", "ue.dll");
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "UnitEconomics.Otel.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("UnitEconomics.Otel.sln not found above " + AppContext.BaseDirectory);
    }
}
