using System.Globalization;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Cli.Simulation;
using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Cli.Reconciliation;

/// <summary>
/// What the simulated providers metered: every call the demo made to OpenAI and Anthropic, traced or
/// not, by UTC day and model. It also plants the two flaws the demo's bills are there to show: a share
/// of one model's calls made by a worker nobody instrumented (no span), and a provider price that
/// changed mid-month while the catalog kept the old one. Its random draws are its own, so the rest of
/// the simulation is the same with or without it.
/// </summary>
public sealed class ProviderLedger
{
    /// <summary>The model some of whose calls are made untraced.</summary>
    public const string UntracedModel = "claude-sonnet-4-5";

    /// <summary>The share of <see cref="UntracedModel"/>'s calls made untraced.</summary>
    public const double UntracedShare = 0.08;

    /// <summary>The model whose price the provider raised mid-month.</summary>
    public const string RepricedModel = "gpt-4.1-mini";

    /// <summary>The raise: every token price times this, from <see cref="RepricedFromUtc"/>.</summary>
    public const decimal RepriceFactor = 1.10m;

    private readonly Random random;
    private readonly Dictionary<(DateTime Day, string Provider, string Model, bool Completion), Metered> metered = [];

    public ProviderLedger(int seed, DateTime startUtc, int days)
    {
        this.random = new Random(unchecked(seed * 7919 + 17));
        this.RepricedFromUtc = startUtc.Date.AddDays(days / 2);
    }

    public DateTime RepricedFromUtc { get; }

    public long UntracedCalls { get; private set; }

    /// <summary>Whether this call goes through the uninstrumented worker (decided per call of <see cref="UntracedModel"/>).</summary>
    public bool SkipsTracing(string model)
    {
        if (model != UntracedModel || this.random.NextDouble() >= UntracedShare)
        {
            return false;
        }

        this.UntracedCalls++;
        return true;
    }

    /// <summary>A chat call as the provider meters it: input (cached included), cached input, output.</summary>
    public void RecordChat(DateTime endUtc, string provider, string model, long input, long cached, long output) =>
        this.Add((endUtc.Date, provider, model, true), new TokenCounts(input - cached, cached, 0, output));

    /// <summary>An embeddings call: OpenAI bills it, but its completions usage report does not list it.</summary>
    public void RecordEmbedding(DateTime endUtc, string provider, string model, long input) =>
        this.Add((endUtc.Date, provider, model, false), new TokenCounts(input, 0, 0, 0));

    /// <summary>The bill of <paramref name="api"/>'s provider, priced by its own price list: <paramref name="catalog"/> with the planted raise.</summary>
    public ProviderBill Bill(ProviderApi api, PriceCatalog catalog)
    {
        var costs = new List<BilledCost>();
        var usage = new List<BilledUsage>();
        foreach (var ((day, provider, model, completion), m) in this.metered.Where(kv => kv.Key.Provider == api.Provider).OrderBy(kv => kv.Key.Day).ThenBy(kv => kv.Key.Model, StringComparer.Ordinal))
        {
            // The day's calls priced as the engine prices calls, at the prices in force that day (UsagePricing:
            // the day's tokens spread over its calls, so a long-context tier applies as it would per call).
            var usageOfDay = new ModelUsage(provider, model, m.Calls, m.Tokens.Input, m.Tokens.CacheRead, m.Tokens.CacheWrite, m.Tokens.Output, 0);
            if (UsagePricing.Price(catalog, usageOfDay, day) is not { } priced)
            {
                continue; // a model the provider does not sell
            }

            // The provider's own price list is the catalog's with the planted raise: every token price times the factor.
            var factor = model == RepricedModel && day >= this.RepricedFromUtc ? RepriceFactor : 1m;
            var input = (Plain(priced.UncachedInput) + Plain(priced.CacheRead) + Plain(priced.CacheWrite)) * factor;
            var output = (Plain(priced.Output) + Plain(priced.Reasoning)) * factor;
            var anthropic = provider == AnthropicAdminApi.Api.Provider;
            costs.Add(new BilledCost(day, model, input, anthropic ? $"{model} Usage - Input Tokens" : $"{model}, input"));
            if (output != 0)
            {
                costs.Add(new BilledCost(day, model, output, anthropic ? $"{model} Usage - Output Tokens" : $"{model}, output"));
            }

            if (completion)
            {
                usage.Add(new BilledUsage(day, model, m.Tokens, m.Calls));
            }
        }

        return new ProviderBill(api.Provider, costs, usage);
    }

    /// <summary>
    /// <paramref name="value"/> without trailing zeros. The engine's parts carry a fixed scale (a price's
    /// decimals plus six: 0.7070560), which the bill's JSON would print; a bill shows the plain amount, as
    /// the demo's bills always have. The value is unchanged.
    /// </summary>
    private static decimal Plain(decimal value)
    {
        while (value.Scale > 0 && decimal.Round(value, value.Scale - 1) is var shorter && shorter == value)
        {
            value = shorter;
        }

        return value;
    }

    private void Add((DateTime, string Provider, string, bool) key, TokenCounts tokens)
    {
        if (key.Provider is not ("openai" or "anthropic"))
        {
            return;
        }

        var m = this.metered.GetOrNew(key);
        m.Tokens += tokens;
        m.Calls++;
    }

    private sealed class Metered
    {
        public TokenCounts Tokens { get; set; }

        public long Calls { get; set; }
    }
}

/// <summary><c>ue demo --bills DIR</c>: the month's bills as the providers' admin APIs would answer, one JSON array of pages per endpoint.</summary>
public static class DemoBills
{
    /// <summary>Writes the four files; returns their paths (OpenAI costs and usage, Anthropic costs and usage).</summary>
    public static async Task<string[]> WriteAsync(string folder, ProviderLedger ledger, PriceCatalog catalog)
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var api in new[] { OpenAiAdminApi.Api, AnthropicAdminApi.Api })
        {
            var bill = ledger.Bill(api, catalog);
            foreach (var (name, pages) in new[]
                     {
                         ($"{api.Provider}-costs.json", api.Costs.WritePages(bill.Costs)),
                         ($"{api.Provider}-usage.json", api.Usage.WritePages(bill.Usage)),
                     })
            {
                var path = Path.Combine(folder, name);
                await File.WriteAllTextAsync(path, "[\n" + string.Join(",\n", pages) + "\n]\n", ReportOutput.Utf8);
                paths.Add(path);
            }
        }

        return [.. paths];
    }

    /// <summary>The command that reconciles the bills just written with the same simulated month.</summary>
    public static string ReconcileCommand(IReadOnlyList<string> paths, int seed, int days, DateTime startUtc) =>
        string.Create(CultureInfo.InvariantCulture,
            $"ue reconcile --demo --seed {seed} --days {days} --start {startUtc:yyyy-MM-dd} --openai-costs {paths[0]} --openai-usage {paths[1]} --anthropic-costs {paths[2]} --anthropic-usage {paths[3]}");
}

/// <summary>The demo's side of <c>--bills</c>: the ledger goes into the settings before the run, and its bills are written after it.</summary>
public static class DemoBillsRun
{
    public static DemoSettings WithLedger(DemoSettings settings) =>
        settings with { ProviderLedger = new ProviderLedger(settings.Seed, settings.StartUtc, settings.Days) };

    public static async Task WriteAsync(DemoSettings settings, string folder, TextWriter log)
    {
        var ledger = settings.ProviderLedger ?? throw new InvalidOperationException("the demo ran without a provider ledger");
        var paths = await DemoBills.WriteAsync(folder, ledger, PriceCatalog.LoadDefaultAnd([.. settings.Catalogs]));
        await log.WriteLineAsync($"provider bills written to {folder} ({ledger.UntracedCalls:N0} {ProviderLedger.UntracedModel} calls made untraced; {ProviderLedger.RepricedModel} repriced x{ProviderLedger.RepriceFactor} from {ledger.RepricedFromUtc:yyyy-MM-dd}); reconcile them with:");
        await log.WriteLineAsync("  " + DemoBills.ReconcileCommand(paths, settings.Seed, settings.Days, settings.StartUtc));
    }
}
