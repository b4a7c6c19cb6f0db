using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Cli.Reporting;

/// <summary>What the report's judgements are made with; every default is documented in docs/report.md.</summary>
public sealed class ReportOptions
{
    /// <summary>Use cases that need no real-time answer (latency-tolerant): only these are sized for batch APIs.</summary>
    public IReadOnlyList<string> BatchableUseCases { get; init; } = ["classification"];

    /// <summary>Cheaper models a use case could be routed to (same provider, priced by the catalog).</summary>
    public IReadOnlyList<string> RoutingCandidates { get; init; } = ["gpt-4.1-nano", "gpt-4o-mini", "gpt-5-nano", "claude-haiku-4-5", "gemini-2.5-flash-lite", "mistral-small", "command-r"];

    /// <summary>
    /// The share of requests assumed to repeat where no semantic cache runs yet. Null: the hit rate
    /// observed among the lookups of use cases that run one (then nothing is sized when none does).
    /// </summary>
    public double? AssumedRepeatRate { get; init; }

    /// <summary>Models that think before they answer: routed to, they are priced with reasoning tokens.</summary>
    public IReadOnlyList<string> ReasoningModelPrefixes { get; init; } = ["gpt-5", "o1", "o3", "o4"];

    /// <summary>Reasoning tokens per plain output token assumed for a reasoning model never seen in the window.</summary>
    public double AssumedReasoningPerOutputToken { get; init; } = 1.0;

    public int TopTenants { get; init; } = 10;

    /// <summary>The shortest window whose costs are scaled to a 30-day month (margins, cost per customer per month).</summary>
    public double MinDaysForMonthlyFigures { get; init; } = 7;

    /// <summary>The tier label of the free tier(s), as the alert rules use it.</summary>
    public string FreeTier { get; init; } = "free";
}

/// <summary>Derives every figure of the report from <see cref="ReportInputs"/>, whatever their source.</summary>
public static class ReportBuilder
{
    public const double FreeTierShareThreshold = 0.10;
    public const double AgentMultiplierThreshold = 5.0;
    public const double CorrelationThreshold = 0.3;
    public const double MarginCompressionThreshold = 0.10;
    private const int MinTenantsForCorrelation = 10;
    private const int MinCallsForMultiplier = 10;

    public static UnitEconomicsReport Build(ReportInputs inputs, PriceCatalog catalog, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        var total = inputs.Tenants.Values.Sum(t => t.Cost);
        // A month's figures from a shorter window are a run rate: from minutes of traffic they say nothing
        // about a month, so below MinDaysForMonthlyFigures the monthly columns stay empty.
        decimal? monthFactor = inputs.WindowDays >= options.MinDaysForMonthlyFigures ? 30m / (decimal)inputs.WindowDays : null;
        var tiers = BuildTiers(inputs, monthFactor);
        var tenants = BuildTenants(inputs, monthFactor);
        var userRequests = UserRequestSection.Rows(inputs);
        return new UnitEconomicsReport
        {
            Source = inputs.Source,
            Revenue = RevenueSection.Of(inputs.Revenue),
            FromUtc = inputs.FromUtc,
            ToUtc = inputs.ToUtc,
            WindowDays = inputs.WindowDays,
            MonthlyFigures = monthFactor is not null,
            TotalCost = total,
            Tiers = tiers,
            UnpricedCalls = inputs.Unpriced.Values.Sum(),
            UseCases = [.. inputs.UseCases.OrderByDescending(u => u.Value.Cost).ThenBy(u => u.Key, StringComparer.Ordinal).Select(u => new UseCaseRow(
                u.Key, u.Value.Cost, total == 0 ? 0 : (double)(u.Value.Cost / total), u.Value.Calls, u.Value.UnpricedCalls,
                u.Value.Calls == 0 ? 0 : u.Value.Cost / u.Value.Calls, u.Value.CacheLookups, u.Value.CacheHits,
                Ratio(u.Value.CacheHits, u.Value.CacheLookups), Ratio(u.Value.CacheReadTokens, u.Value.AllInputTokens)))],
            Models = [.. inputs.Models.OrderByDescending(m => m.Value.Cost).ThenByDescending(m => m.Value.UnpricedCalls).ThenBy(m => m.Key.Model, StringComparer.Ordinal).Select(m => new ModelRow(
                m.Key.Provider, m.Key.Model, m.Value.Calls == 0 && m.Value.UnpricedCalls > 0 ? null : m.Value.Cost, m.Value.Calls, m.Value.UnpricedCalls,
                m.Value.InputTokens, m.Value.CacheReadTokens, m.Value.CacheWriteTokens, m.Value.OutputTokens, m.Value.ReasoningTokens,
                Ratio(m.Value.CacheReadTokens, m.Value.AllInputTokens)))],
            TopTenants = [.. tenants.Take(options.TopTenants)],
            AllTenants = tenants,
            Agents = [.. inputs.Agents.OrderBy(a => a.Key, StringComparer.Ordinal).Where(a => a.Value.Tasks > 0).Select(a => AgentRowOf(a.Key, a.Value))],
            UserRequests = userRequests,
            RagQueries = UserRequestSection.RagQueries(userRequests),
            RedFlags = BuildRedFlags(inputs, tiers, options),
            Savings = SavingsCalculator.Opportunities(inputs, catalog, options),
            RealisedSavings = SavingsCalculator.Realised(inputs, catalog),
        };
    }

    /// <summary>Pearson's r of two equally long series; null when either has no variance.</summary>
    public static double? Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var n = x.Count;
        if (n < 2)
        {
            return null;
        }

        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            sx += x[i];
            sy += y[i];
            sxx += x[i] * x[i];
            syy += y[i] * y[i];
            sxy += x[i] * y[i];
        }

        var denominator = Math.Sqrt(((n * sxx) - (sx * sx)) * ((n * syy) - (sy * sy)));
        return denominator == 0 ? null : ((n * sxy) - (sx * sy)) / denominator;
    }

    private static List<TierRow> BuildTiers(ReportInputs inputs, decimal? monthFactor)
    {
        var costByTier = inputs.Tenants.Values.GroupBy(t => t.Tier, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.Cost), StringComparer.Ordinal);
        var rows = new List<TierRow>();
        foreach (var tier in inputs.Directory.Tiers.Values.OrderBy(t => t.RevenuePerCustomerPerMonth).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            var customers = inputs.Directory.CountOfTier(tier.Name);
            var aiCost = costByTier.GetValueOrDefault(tier.Name);
            if (customers == 0)
            {
                rows.Add(new TierRow(tier.Name, tier.IsFree, 0, aiCost, null, 0, null, 0, null, null));
                continue;
            }

            var aiPerCustomer = aiCost * monthFactor / customers;
            var infraPerCustomer = tier.InfraCostPerMonth / customers;
            var revenuePerCustomer = inputs.Directory.RevenueOfTier(tier.Name) / customers;
            var cost = aiPerCustomer + infraPerCustomer;
            var margin = revenuePerCustomer - cost;
            rows.Add(new TierRow(tier.Name, tier.IsFree, customers, aiCost, aiPerCustomer, infraPerCustomer, cost, revenuePerCustomer, margin,
                revenuePerCustomer == 0 || margin is null ? null : (double)(margin.Value / revenuePerCustomer)));
        }

        // Spend of tenants missing from the directory still has to show up somewhere.
        var unlisted = costByTier.Where(kv => !inputs.Directory.Tiers.ContainsKey(kv.Key));
        foreach (var (tier, cost) in unlisted.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            rows.Add(new TierRow(tier, false, inputs.Tenants.Values.Count(t => t.Tier == tier), cost, null, 0, null, 0, null, null));
        }

        return rows;
    }

    private static List<TenantRow> BuildTenants(ReportInputs inputs, decimal? monthFactor) =>
        [.. inputs.Tenants.OrderByDescending(t => t.Value.Cost).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t =>
        {
            inputs.Directory.TryGetTenant(t.Key, out var info);
            var costPerMonth = t.Value.Cost * monthFactor;
            var revenue = info?.RevenuePerMonth ?? 0m;
            var infra = inputs.Directory.InfraCostOfTenant(t.Key);
            return new TenantRow(t.Key, t.Value.Tier, t.Value.Cost, t.Value.Calls, costPerMonth, revenue, revenue - costPerMonth, info?.Engagement ?? 0,
                infra, revenue - costPerMonth - infra);
        })];

    private static AgentRow AgentRowOf(string useCase, AgentTotals a)
    {
        var meanTask = a.Tasks == 0 ? 0 : a.TaskCost / a.Tasks;
        var meanSingle = a.SingleShots == 0 ? 0 : a.SingleShotCost / a.SingleShots;
        return new AgentRow(useCase, a.Tasks, meanTask, a.Tasks == 0 ? 0 : (double)a.TaskModelCalls / a.Tasks, a.Tasks == 0 ? 0 : (double)a.TaskTokens / a.Tasks,
            a.SingleShots, meanSingle, meanSingle == 0 ? null : (double)(meanTask / meanSingle));
    }

    private static List<RedFlag> BuildRedFlags(ReportInputs inputs, List<TierRow> tiers, ReportOptions options)
    {
        var flags = new List<RedFlag>();
        foreach (var tier in tiers.Where(t => !t.IsFree && t.Customers > 0 && t.RevenuePerCustomerPerMonth > 0))
        {
            if (tier.MarginPerCustomerPerMonth is { } margin && margin < 0)
            {
                flags.Add(new RedFlag("AINegativeGrossMargin", "critical", tier.Tier,
                    $"cost per customer {tier.CostPerCustomerPerMonth:0.00} USD/month exceeds revenue per customer {tier.RevenuePerCustomerPerMonth:0.00}",
                    (double)margin, 0));
            }

            var last = inputs.TierCostLast7Days.GetValueOrDefault(tier.Tier);
            var previous = inputs.TierCostPrevious7Days.GetValueOrDefault(tier.Tier);
            var costShareOfRevenue = tier.AiCostPerCustomerPerMonth / tier.RevenuePerCustomerPerMonth;
            if (previous > 0 && costShareOfRevenue >= 0.05m)
            {
                // Revenue per customer comes from the tenant directory, a snapshot: its growth over the week is zero.
                var growth = (double)((last - previous) / previous);
                if (growth > MarginCompressionThreshold)
                {
                    flags.Add(new RedFlag("AIMarginCompression", "warning", tier.Tier,
                        $"AI cost grew {growth:P0} week over week ({previous:0.00} → {last:0.00} USD) while revenue per customer did not",
                        growth, MarginCompressionThreshold));
                }
            }
        }

        var weekTotal = inputs.TierCostLast7Days.Values.Sum();
        if (weekTotal > 0)
        {
            var freeShare = (double)(inputs.TierCostLast7Days.GetValueOrDefault(options.FreeTier) / weekTotal);
            if (freeShare > FreeTierShareThreshold)
            {
                var total = inputs.Tenants.Values.Sum(t => t.Cost);
                var windowShare = total == 0 ? 0 : (double)(inputs.Tenants.Values.Where(t => t.Tier == options.FreeTier).Sum(t => t.Cost) / total);
                flags.Add(new RedFlag("AIFreeTierSubsidyHigh", "warning", options.FreeTier,
                    $"the free tier took {freeShare:P1} of AI spend in the last 7 days ({windowShare:P1} over the whole window)", freeShare, FreeTierShareThreshold));
            }
        }

        foreach (var (useCase, a) in inputs.Agents.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var row = AgentRowOf(useCase, a);
            if (a.Tasks >= MinCallsForMultiplier && a.SingleShots >= MinCallsForMultiplier && row.Multiplier >= AgentMultiplierThreshold)
            {
                flags.Add(new RedFlag("AIAgentCostMultiplierHigh", "warning", useCase,
                    $"an agent task costs {row.Multiplier:0.0}x a single-shot call ({row.MeanTaskCost:0.00000} vs {row.MeanSingleShotCost:0.00000} USD)",
                    row.Multiplier!.Value, AgentMultiplierThreshold));
            }
        }

        var listed = inputs.Directory.Tenants.ToList();
        if (listed.Count >= MinTenantsForCorrelation)
        {
            var spend = listed.Select(t => (double)(inputs.Tenants.GetValueOrDefault(t.Id)?.Cost ?? 0m)).ToList();
            var engagement = listed.Select(t => t.Engagement).ToList();
            var r = Pearson(spend, engagement);
            if (r is { } value && Math.Abs(value) < CorrelationThreshold)
            {
                flags.Add(new RedFlag("AISpendEngagementUncorrelated", "warning", "all tenants",
                    $"Pearson r between tenants' AI spend and engagement is {value:0.00} over {listed.Count} tenants: spend does not follow use", value, CorrelationThreshold));
            }
        }

        foreach (var ((provider, model), count) in inputs.Unpriced.OrderBy(u => u.Key.Model, StringComparer.Ordinal))
        {
            flags.Add(new RedFlag("AIUnpricedModelCalls", "warning", $"{provider}/{model}",
                $"{count} calls to a model with no price in the catalog: their cost is unknown, not zero", count, 0));
        }

        return flags;
    }

    /// <summary>A share, null when there is nothing to divide by (no lookups, no input): never NaN.</summary>
    internal static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
