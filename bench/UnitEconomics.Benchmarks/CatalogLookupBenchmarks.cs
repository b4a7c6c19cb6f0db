using BenchmarkDotNet.Attributes;
using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Benchmarks;

/// <summary>
/// Resolving a model name to its price with the full LiteLLM catalog loaded (read from ../shared at run
/// time), with a one-entry native file layered on top for a regex match. The baseline is a plain
/// ordinal <see cref="Dictionary{TKey, TValue}"/> lookup of the same exact name over every entry id.
/// </summary>
[MemoryDiagnoser]
public class CatalogLookupBenchmarks
{
    private static readonly DateTimeOffset At = new(2026, 7, 1, 0, 0, 0, TimeSpan.Zero);

    private PriceCatalog catalog = null!;
    private Dictionary<string, ModelPrice> plain = null!;
    private string overlay = null!;

    /// <summary>Entries loaded (for the write-up).</summary>
    public int Entries => this.plain.Count;

    [GlobalSetup]
    public void Setup()
    {
        var litellm = LiteLlmCatalogPath();
        this.overlay = Path.Combine(Path.GetTempPath(), $"catalog-bench-{Environment.ProcessId}.yaml");
        File.WriteAllText(this.overlay, """
            models:
              llama-hosted:
                provider: meta
                match:
                  regex: ['^meta-llama/.*-instruct$']
                input: 0.6
                output: 0.6
            """);
        this.catalog = PriceCatalog.Load(litellm, this.overlay);
        this.plain = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var model in new[] { "gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5" })
        {
            if (!this.catalog.TryResolve(null, model, At, out var p))
            {
                throw new InvalidOperationException(model + " does not resolve");
            }

            this.plain[model] = p;
        }

        // Pad the baseline dictionary to the catalog's size so it is not unrealistically small.
        for (var i = 0; this.plain.Count < 3_000; i++)
        {
            this.plain["model-" + i] = this.plain["gpt-4o"];
        }

        Check("openai", "gpt-4o", "gpt-4o");
        Check("openai", "gpt-4o-2031-01-01", "gpt-4o");
        Check(null, "meta-llama/acme-9b-instruct", "llama-hosted");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(this.overlay);

    [Benchmark(Baseline = true)]
    public bool PlainDictionary() => this.plain.TryGetValue("gpt-4o", out _);

    /// <summary>An entry's own name.</summary>
    [Benchmark]
    public bool Exact() => this.catalog.TryResolve("openai", "gpt-4o", At, out _);

    /// <summary>A dated version the catalog does not list: resolves to its undated entry.</summary>
    [Benchmark]
    public bool Dated() => this.catalog.TryResolve("openai", "gpt-4o-2031-01-01", At, out _);

    /// <summary>A name only a regex entry matches.</summary>
    [Benchmark]
    public bool Regex() => this.catalog.TryResolve(null, "meta-llama/acme-9b-instruct", At, out _);

    private void Check(string? provider, string model, string expectedId)
    {
        if (!this.catalog.TryResolve(provider, model, At, out var price) || price.Id != expectedId)
        {
            throw new InvalidOperationException($"{model} resolved to {price?.Id ?? "nothing"}, not {expectedId}");
        }
    }

    private static string LiteLlmCatalogPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "UnitEconomics.Otel.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.GetFullPath(Path.Combine(dir?.FullName ?? ".", "..", "shared", "data", "litellm", "model_prices_and_context_window.json"));
        return File.Exists(path) ? path : throw new FileNotFoundException("the LiteLLM catalog is read from ../shared", path);
    }
}
