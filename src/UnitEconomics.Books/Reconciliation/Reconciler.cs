using System.Globalization;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Books.Reconciliation;

/// <summary>
/// Holds provider bills against the engine's estimates, per provider × UTC day × model, and gives each
/// row one verdict. Names on both sides go through the catalog's own resolution, so a bill's
/// <c>gpt-4o-2024-08-06</c> and a span's <c>gpt-4o</c> (or <c>openai/gpt-4o</c>) meet on one row.
/// </summary>
public static class Reconciler
{
    /// <summary>The row key of a day whose billed costs name no model (the bill was not grouped by model).</summary>
    public const string AllModels = "*";

    public const double DefaultTolerance = 0.02;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Reconciles the whole UTC days in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) of each bill
    /// with the estimates of the same provider; estimates of providers without a bill are left out.
    /// </summary>
    public static ReconciliationResult Reconcile(
        IReadOnlyList<ProviderBill> bills, IEnumerable<EstimatedUsage> estimates, PriceCatalog catalog,
        DateTime fromUtc, DateTime toUtc, string estimateSource, double tolerance = DefaultTolerance)
    {
        if (tolerance is < 0 or >= 1 || double.IsNaN(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the tolerance is a fraction in [0, 1)");
        }

        bool InWindow(DateTime day) => day >= fromUtc.Date && day < toUtc;
        var estimateList = estimates.Where(e => InWindow(e.Day)).ToList();
        var rows = new List<ReconciliationRow>();
        var providers = new List<ProviderReconciliation>();
        foreach (var bill in bills)
        {
            var names = new ModelNames(catalog, bill.Provider);
            var costs = bill.Costs.Where(c => InWindow(c.Day)).ToList();
            var usage = bill.Usage.Where(u => InWindow(u.Day)).ToList();
            var estimated = estimateList.Where(e => e.Provider == bill.Provider).ToList();
            var days = costs.Select(c => c.Day).Concat(usage.Select(u => u.Day)).Concat(estimated.Select(e => e.Day)).Distinct().Order();
            var providerRows = new List<ReconciliationRow>();
            foreach (var day in days)
            {
                // A day whose costs do not name a model can only be reconciled as a whole.
                var dayCosts = costs.Where(c => c.Day == day).ToList();
                var byModel = dayCosts.All(c => c.Model is not null);
                string Key(string? model) => byModel ? names.Key(model!, day) : AllModels;
                var sides = new Dictionary<string, Side>(StringComparer.Ordinal);
                Side SideOf(string? model) => sides.TryGetValue(Key(model), out var s) ? s : sides[Key(model)] = new Side();
                foreach (var c in dayCosts)
                {
                    var s = SideOf(c.Model);
                    s.BilledUsd += c.Usd;
                    s.Names.Add(c.Model ?? c.Description);
                }

                foreach (var u in usage.Where(u => u.Day == day))
                {
                    var s = SideOf(u.Model ?? AllModels);
                    s.BilledTokens += u.Tokens;
                    s.Names.Add(u.Model ?? AllModels);
                }

                foreach (var e in estimated.Where(e => e.Day == day))
                {
                    var s = SideOf(e.Model);
                    s.EstimatedUsd += e.CostUsd;
                    s.TracedTokens += e.Tokens;
                    s.Names.Add(e.Model);
                }

                providerRows.AddRange(sides.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Row(bill.Provider, day, kv.Key, kv.Value, tolerance)));
            }

            rows.AddRange(providerRows);
            providers.Add(Summarize(bill, providerRows, toUtc));
        }

        return new ReconciliationResult
        {
            FromUtc = fromUtc, ToUtc = toUtc, Tolerance = tolerance, EstimateSource = estimateSource, Providers = providers, Rows = rows,
        };
    }

    /// <summary>One row's verdict; the order of the tests is the order of causes: nothing on one side, tokens, then price.</summary>
    internal static ReconciliationRow Row(string provider, DateTime day, string model, Side side, double tolerance)
    {
        var billed = side.BilledUsd;
        var estimated = side.EstimatedUsd;
        var billedTokens = side.BilledTokens.Total;
        var tracedTokens = side.TracedTokens.Total;
        // Ratios are judged in decimal, so a figure exactly at the tolerance is within it.
        decimal? exactCostRatio = billed != 0 ? estimated / billed : null;
        decimal? exactCoverage = billedTokens != 0 ? (decimal)tracedTokens / billedTokens : null;
        var within = (decimal)tolerance;
        double? costRatio = (double?)exactCostRatio;
        double? coverage = (double?)exactCoverage;
        var billHas = billed != 0 || billedTokens != 0;
        var estimateHas = estimated != 0 || tracedTokens != 0;

        Verdict verdict;
        string note;
        if (!estimateHas)
        {
            verdict = Verdict.BillOnly;
            note = $"nothing traced for {Usd(billed)} and {billedTokens:N0} billed tokens: untraced calls, or a line the engine does not price";
        }
        else if (!billHas)
        {
            verdict = Verdict.EstimateOnly;
            note = $"{Usd(estimated)} estimated from {tracedTokens:N0} traced tokens that the bill does not have: another organization's key, or a name the bill spells differently";
        }
        else if (exactCoverage is { } exact && Math.Abs(exact - 1) > within)
        {
            var c = coverage!.Value;
            verdict = Verdict.CoverageGap;
            note = c < 1
                ? $"{Pct(1 - c)} of billed tokens untraced ({billedTokens - tracedTokens:N0} tokens): untraced or sampled calls"
                : $"traced {Pct(c - 1)} more tokens than billed: spans counted twice, or another organization's calls";
            if (tracedTokens > 0 && billed != 0)
            {
                // Per token, the estimate can still be judged: if that is off too, the price is also wrong.
                var perToken = (double)(estimated / tracedTokens) / (double)(billed / billedTokens);
                if (Math.Abs(perToken - 1) > tolerance)
                {
                    note += $"; per token the estimate is also {Signed(perToken - 1)} off the bill";
                }
            }
        }
        else if (billed == 0 ? estimated != 0 : Math.Abs(exactCostRatio!.Value - 1) > within)
        {
            verdict = Verdict.PriceDrift;
            note = $"tokens agree but the estimate is {(costRatio is { } r ? Signed(r - 1) : "non-zero")} off the bill ({Usd(estimated)} against {Usd(billed)}): the catalog's price for {model} is not what {provider} charged";
        }
        else
        {
            verdict = Verdict.Matched;
            note = $"within {Pct(tolerance)}";
        }

        return new ReconciliationRow
        {
            Provider = provider, Day = day, Model = model, Names = string.Join(", ", side.Names.Order(StringComparer.Ordinal)),
            BilledUsd = billed, EstimatedUsd = estimated, CostRatio = costRatio, BilledTokens = side.BilledTokens, TracedTokens = side.TracedTokens,
            Coverage = coverage, Verdict = verdict, Note = note,
        };
    }

    private static ProviderReconciliation Summarize(ProviderBill bill, List<ReconciliationRow> rows, DateTime toUtc)
    {
        var billed = rows.Sum(r => r.BilledUsd);
        var estimated = rows.Sum(r => r.EstimatedUsd);
        // Coverage is over the rows whose tokens the bill can speak for: not a line the bill charges
        // without reporting its tokens (OpenAI's completions usage leaves out embeddings, for one).
        var metered = rows.Where(r => !(r.BilledTokens.IsZero && r.BilledUsd != 0)).ToList();
        var billedTokens = metered.Aggregate(default(TokenCounts), (t, r) => t + r.BilledTokens);
        var tracedTokens = metered.Aggregate(default(TokenCounts), (t, r) => t + r.TracedTokens);
        var coverage = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var type in TokenCounts.TypeNames)
        {
            if (billedTokens.Of(type) > 0)
            {
                coverage[type] = (double)tracedTokens.Of(type) / billedTokens.Of(type);
            }
        }

        return new ProviderReconciliation
        {
            Provider = bill.Provider, BilledUsd = billed, EstimatedUsd = estimated, EstimateRatio = billed != 0 ? (double)(estimated / billed) : null,
            BilledTokens = billedTokens, TracedTokens = tracedTokens, Coverage = coverage,
            // The whole window was asked of the provider and answered: a day it reports nothing for (no traffic, a
            // provider unused at weekends) is reconciled too, so staleness measures failed runs, not quiet days.
            ReconciledUntil = toUtc,
            Verdicts = Enum.GetValues<Verdict>().ToDictionary(v => v, v => rows.Count(r => r.Verdict == v)),
        };
    }

    private static string Usd(decimal value) => value.ToString("$#,##0.00", Inv);

    private static string Pct(double value) => value.ToString("0.0%", Inv);

    private static string Signed(double value) => value.ToString("+0.0%;-0.0%", Inv);

    /// <summary>Both sides of one row, summed.</summary>
    internal sealed class Side
    {
        public decimal BilledUsd { get; set; }

        public decimal EstimatedUsd { get; set; }

        public TokenCounts BilledTokens { get; set; }

        public TokenCounts TracedTokens { get; set; }

        public SortedSet<string> Names { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Model names to row keys through the catalog's resolution, each name resolved once per day.</summary>
    private sealed class ModelNames(PriceCatalog catalog, string provider)
    {
        private readonly Dictionary<(string, DateTime), string> keys = [];

        public string Key(string model, DateTime day)
        {
            if (model == AllModels)
            {
                return AllModels;
            }

            if (!this.keys.TryGetValue((model, day), out var key))
            {
                key = catalog.TryResolve(provider, model, new DateTimeOffset(day.AddHours(12), TimeSpan.Zero), out var price) ? price.Id : model;
                this.keys[(model, day)] = key;
            }

            return key;
        }
    }
}
