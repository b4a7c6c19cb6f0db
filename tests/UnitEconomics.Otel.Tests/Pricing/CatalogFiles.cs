namespace UnitEconomics.Otel.Tests.Pricing;

/// <summary>Catalog files written to a private temp folder for one test, deleted afterwards.</summary>
internal sealed class CatalogFiles : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "ue-catalog-" + Guid.NewGuid().ToString("N"));

    public CatalogFiles() => Directory.CreateDirectory(this.dir);

    public string Write(string name, string text)
    {
        var path = Path.Combine(this.dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(this.dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
