using System.Text.Json;

namespace UnitEconomics.Books.ProviderBills;

/// <summary>
/// Reads a bill from saved API responses: a file holds one page (the response body as the API sent
/// it) or a JSON array of pages. Errors name the file and the page.
/// </summary>
public static class SavedBillReader
{
    public static ProviderBill Read(ProviderApi api, string costsFile, string usageFile) =>
        new(api.Provider, ReadFile(api.Costs, costsFile), ReadFile(api.Usage, usageFile));

    public static List<TLine> ReadFile<TLine>(BillEndpoint<TLine> endpoint, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BillException($"{endpoint.Name}: cannot read {path}: {ex.Message}", ex);
        }

        return Parse(endpoint, text, path);
    }

    public static List<TLine> Parse<TLine>(BillEndpoint<TLine> endpoint, string json, string name)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new BillException($"{endpoint.Name} {name}: not JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            var pages = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            var lines = new List<TLine>();
            for (var i = 0; i < pages.Count; i++)
            {
                lines.AddRange(endpoint.ParsePage(pages[i], $"{endpoint.Name} {name} page {i + 1}").Lines);
            }

            return lines;
        }
    }
}
