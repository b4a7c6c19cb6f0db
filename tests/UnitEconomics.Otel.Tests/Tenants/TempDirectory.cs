namespace UnitEconomics.Otel.Tests.Tenants;

/// <summary>A fresh folder under the temp path, removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        this.Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ue-tenants-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(this.Path);
    }

    public string Path { get; }

    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(this.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Replaces a file the way editors do: write a temporary file, then rename it over the target.</summary>
    public void ReplaceByRename(string name, string text)
    {
        var temp = this.Write(name + ".tmp~", text);
        File.Move(temp, System.IO.Path.Combine(this.Path, name), overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(this.Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
