using System.Globalization;
using System.Text;
using Prometheus;

namespace UnitEconomics.Otel.Prometheus.Tests;

/// <summary>The registry's /metrics text, parsed into series → value.</summary>
internal sealed class Scrape
{
    private Scrape(string text, Dictionary<string, double> series)
    {
        this.Text = text;
        this.Series = series;
    }

    public string Text { get; }

    public Dictionary<string, double> Series { get; }

    public static async Task<Scrape> OfAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var text = Encoding.UTF8.GetString(stream.ToArray());
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            series[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return new Scrape(text, series);
    }

    public double this[string key] => this.Series.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"No series {key} in:\n{this.Text}");

    /// <summary>Every series of a family (exact name, no suffixes), as written.</summary>
    public IEnumerable<string> Family(string name) => this.Series.Keys.Where(k => k == name || k.StartsWith(name + "{", StringComparison.Ordinal));
}
