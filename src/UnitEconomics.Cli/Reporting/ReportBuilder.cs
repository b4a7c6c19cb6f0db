using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Cli.Reporting;

/// <summary>What the report's judgements are made with.</summary>
public sealed class ReportOptions
{
    /// <summary>Use cases that need no real-time answer and could go through batch APIs.</summary>
    public IReadOnlyList<string> BatchableUseCases { get; init; } = ["classification"];

    /// <summary>Cheaper models a use case could be routed to (those the catalog prices).</summary>
    public IReadOnlyList<string> RoutingCandidates { get; init; } = ["gpt-4.1-nano", "gpt-4o-mini", "gpt-5-nano", "claude-haiku-4-5", "gemini-2.5-flash-lite", "mistral-small", "command-r"];

    public int TopTenants { get; init; } = 10;

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
        var monthFactor = 30m / (decimal)inputs.WindowDays;
        var tiers = BuildTiers(inputs, monthFactor);
        var tenants = BuildTenants(inputs, monthFactor);
        return new UnitEconomicsReport
        {
            Source = inputs.Source,
            FromUtc = inputs.FromUtc,
            ToUtc = inputs.ToUtc,
            WindowDays = inputs.WindowDays,
            TotalCost = total,
            Tiers = tiers,
            UseCases = [.. inputs.UseCases.OrderByDescending(u => u.Value.Cost).ThenBy(u => u.Key, StringComparer.Ordinal).Select(u => new UseCaseRow(
                u.Key, u.Value.Cost, total == 0 ? 0 : (double)(u.Value.Cost / total), u.Value.Requests,
                u.Value.Requests == 0 ? 0 : u.Value.Cost / u.Value.Requests, u.Value.CacheHits,
                u.Value.Requests == 0 ? 0 : (double)u.Value.CacheHits / u.Value.Requests))],
            Models = [.. inputs.Models.OrderByDescending(m => m.Value.Cost).ThenBy(m => m.Key.Model, StringComparer.Ordinal).Select(m => new ModelRow(
                m.Key.Provider, m.Key.Model, m.Value.Cost, m.Value.Requests, m.Value.InputTokens, m.Value.CacheReadTokens, m.Value.CacheWriteTokens,
                m.Value.OutputTokens, m.Value.ReasoningTokens))],
            TopTenants = [.. tenants.Take(options.TopTenants)],
            AllTenants = tenants,
            Agents = [.. inputs.Agents.OrderBy(a => a.Key, StringComparer.Ordinal).Where(a => a.Value.Tasks > 0).Select(a => AgentRowOf(a.Key, a.Value))],
            RedFlags = BuildRedFlags(inputs, tiers, options),
            Savings = BuildSavings(inputs, catalog, options),
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

    private static List<TierRow> BuildTiers(ReportInputs inputs, decimal monthFactor)
    {
        var costByTier = inputs.Tenants.Values.GroupBy(t => t.Tier, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.Cost), StringComparer.Ordinal);
        var rows = new List<TierRow>();
        foreach (var tier in inputs.Directory.Tiers.Values.OrderBy(t => t.RevenuePerCustomerPerMonth).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            var customers = inputs.Directory.CountOfTier(tier.Name);
            var aiCost = costByTier.GetValueOrDefault(tier.Name);
            if (customers == 0)
            {
                rows.Add(new TierRow(tier.Name, tier.IsFree, 0, aiCost, 0, 0, 0, 0, 0, null));
                continue;
            }

            var aiPerCustomer = aiCost * monthFactor / customers;
            var infraPerCustomer = tier.InfraCostPerMonth / customers;
            var revenuePerCustomer = inputs.Directory.RevenueOfTier(tier.Name) / customers;
            var cost = aiPerCustomer + infraPerCustomer;
            var margin = revenuePerCustomer - cost;
            rows.Add(new TierRow(tier.Name, tier.IsFree, customers, aiCost, aiPerCustomer, infraPerCustomer, cost, revenuePerCustomer, margin,
                revenuePerCustomer == 0 ? null : (double)(margin / revenuePerCustomer)));
        }

        // Spend of tenants missing from the directory still has to show up somewhere.
        var unlisted = costByTier.Where(kv => !inputs.Directory.Tiers.ContainsKey(kv.Key));
        foreach (var (tier, cost) in unlisted.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            rows.Add(new TierRow(tier, false, inputs.Tenants.Values.Count(t => t.Tier == tier), cost, 0, 0, 0, 0, 0, null));
        }

        return rows;
    }

    private static List<TenantRow> BuildTenants(ReportInputs inputs, decimal monthFactor) =>
        [.. inputs.Tenants.OrderByDescending(t => t.Value.Cost).ThenBy(t => t.Key, StringComparer.Ordinal).Select(t =>
        {
            inputs.Directory.TryGetTenant(t.Key, out var info);
            var costPerMonth = t.Value.Cost * monthFactor;
            var revenue = info?.RevenuePerMonth ?? 0m;
            return new TenantRow(t.Key, t.Value.Tier, t.Value.Cost, t.Value.Requests, costPerMonth, revenue, revenue - costPerMonth, info?.Engagement ?? 0);
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
            if (tier.MarginPerCustomerPerMonth < 0)
            {
                flags.Add(new RedFlag("AINegativeGrossMargin", "critical", tier.Tier,
                    $"cost per customer {tier.CostPerCustomerPerMonth:0.00} USD/month exceeds revenue per customer {tier.RevenuePerCustomerPerMonth:0.00}",
                    (double)tier.MarginPerCustomerPerMonth, 0));
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

    private static List<Saving> BuildSavings(ReportInputs inputs, PriceCatalog catalog, ReportOptions options)
    {
        var at = new DateTimeOffset(inputs.ToUtc, TimeSpan.Zero);
        var savings = new List<Saving>();

        // Model routing: the same tokens on the cheapest candidate model the catalog prices.
        foreach (var group in inputs.UseCaseModels.GroupBy(u => u.Key.UseCase, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            decimal current = 0, saved = 0;
            var targets = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var ((_, provider, model), usage) in group)
            {
                if (!catalog.TryResolve(provider, model, at, out var price) || price.Standard.Output is not > 0)
                {
                    continue; // embeddings, per-call services: nothing to route
                }

                current += usage.Cost;
                // Same provider only: a cheaper sibling is the realistic first step (same API, same prompts).
                var best = options.RoutingCandidates
                    .Select(c => (Name: c, Cost: catalog.TryResolve(provider, c, at, out var p) && p.Provider == provider ? EstimateAt(p.Standard, usage) : (decimal?)null))
                    .Where(c => c.Cost is not null && c.Cost < usage.Cost)
                    .OrderBy(c => c.Cost)
                    .FirstOrDefault();
                if (best.Cost is { } cheaper)
                {
                    saved += usage.Cost - cheaper;
                    targets.Add(best.Name);
                }
            }

            if (saved > 0 && current > 0)
            {
                savings.Add(new Saving("model routing", group.Key, current, saved, (double)(saved / current),
                    $"route simple {group.Key} requests to {string.Join(" or ", targets)}"));
            }
        }

        // Batch processing for use cases that need no real-time answer.
        foreach (var useCase in options.BatchableUseCases)
        {
            decimal current = 0, saved = 0;
            foreach (var ((u, provider, model), usage) in inputs.UseCaseModels)
            {
                if (u == useCase && catalog.TryResolve(provider, model, at, out var price) && price.Batch is { } batch)
                {
                    current += usage.Cost;
                    saved += usage.Cost - EstimateAt(batch, usage);
                }
            }

            if (saved > 0)
            {
                savings.Add(new Saving("batch processing", useCase, current, saved, (double)(saved / current), $"send {useCase} through the providers' batch APIs"));
            }
        }

        // Semantic caching at the repeat rate observed where a cache already runs.
        var cached = inputs.UseCases.Where(u => u.Value.CacheHits > 0).ToList();
        if (cached.Count > 0)
        {
            var hitRate = (decimal)cached.Sum(u => u.Value.CacheHits) / cached.Sum(u => u.Value.Requests);
            foreach (var (useCase, usage) in inputs.UseCases.Where(u => u.Value.CacheHits == 0 && u.Value.Cost > 0).OrderBy(u => u.Key, StringComparer.Ordinal))
            {
                savings.Add(new Saving("semantic caching", useCase, usage.Cost, usage.Cost * hitRate, (double)hitRate,
                    $"cache {useCase} answers: {hitRate:P0} of requests repeat where a cache runs today"));
            }
        }

        return [.. savings.OrderByDescending(s => s.EstimatedSaving)];
    }

    /// <summary>What <paramref name="usage"/>'s tokens cost at <paramref name="prices"/> (USD per million; unset cache prices fall back as in pricing).</summary>
    private static decimal EstimateAt(PriceSet prices, UsageTotals usage)
    {
        var input = prices.Input ?? 0m;
        var output = prices.Output ?? 0m;
        return ((usage.InputTokens * input) + (usage.CacheReadTokens * (prices.CachedInput ?? input)) + (usage.CacheWriteTokens * (prices.CacheWrite ?? input))
            + (usage.OutputTokens * output) + (usage.ReasoningTokens * (prices.Reasoning ?? output))) / 1_000_000m
            + (usage.Requests * (prices.PerCall ?? 0m));
    }
}
