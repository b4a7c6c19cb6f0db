using System.Globalization;
using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// The report's two savings tables (definitions in docs/report.md).
/// <para>
/// Opportunities: per use case the levers are applied in the order of DESIGN §1 — semantic caching, model
/// routing, batch — each on the cost the one before it left, so they never overlap and their sum never
/// exceeds the use case's cost. Prompt compression and context-window management are not sized: spans
/// do not say how long a prompt could have been.
/// </para>
/// <para>Realised: what the levers already in use saved in the window against list prices without them.</para>
/// <para>
/// Nothing here multiplies a price: every what-if is priced by the engine's own rules through
/// <see cref="UsagePricing"/> (context tiers, batch prices, price fallbacks), the catalog is only asked
/// which models qualify (a batch price, a same-provider sibling).
/// </para>
/// </summary>
public static class SavingsCalculator
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static List<Saving> Opportunities(ReportInputs inputs, PriceCatalog catalog, ReportOptions options)
    {
        var at = new DateTimeOffset(inputs.ToUtc, TimeSpan.Zero);
        var (repeatRate, repeatBasis, assumed) = RepeatRate(inputs, options);
        var savings = new List<Saving>();
        foreach (var (useCase, usage) in inputs.UseCases.Where(u => u.Value.Cost > 0).OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            var baseCost = usage.Cost;
            var left = baseCost;

            // 1. Semantic caching where no cache runs yet: the repeated share of requests answered from a cache.
            if (usage.CacheLookups == 0 && repeatRate > 0)
            {
                var saved = Math.Round(left * (decimal)repeatRate, 9);
                savings.Add(new Saving("semantic caching", useCase, left, saved, repeatRate,
                    $"answer repeated {useCase} requests from a semantic cache", assumed ? repeatBasis : $"{useCase} repeats as often as {repeatBasis}"));
                left -= saved;
            }

            // 2. Model routing: only the calls the routing rule calls simple, priced at the target's own prices.
            var models = inputs.UseCaseModels.Where(m => m.Key.UseCase == useCase).ToList();
            decimal routable = 0, routed = 0;
            var targets = new SortedSet<string>(StringComparer.Ordinal);
            var reasoningAssumed = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var ((_, provider, model), all) in models)
            {
                if (all.Simple is not { Cost: > 0 } simple || !catalog.TryResolve(provider, model, at, out var price) || price.Standard.Output is not > 0)
                {
                    continue; // embeddings and per-call services are not routed
                }

                var best = BestTarget(inputs, catalog, options, provider, simple, at);
                if (best is { } target && target.Cost < simple.Cost)
                {
                    routable += simple.Cost;
                    routed += simple.Cost - target.Cost;
                    targets.Add(target.Model);
                    if (target.ReasoningAssumed)
                    {
                        reasoningAssumed.Add(target.Model);
                    }
                }
            }

            if (routed > 0)
            {
                // Caching removed a share of all requests alike: routing applies to what it left.
                var saved = Math.Min(left, Math.Round(routed * left / baseCost, 9));
                savings.Add(new Saving("model routing", useCase, left, saved, (double)(saved / left),
                    $"route simple {useCase} calls ({Usd(routable)} of its cost) to {string.Join(" or ", targets)}",
                    reasoningAssumed.Count == 0 ? null : $"{string.Join(", ", reasoningAssumed)} emits {options.AssumedReasoningPerOutputToken.ToString("0.##", Inv)} reasoning tokens per output token (not seen in the window)"));
                left -= saved;
            }

            // 3. Batch APIs, only for use cases that are configured as latency-tolerant.
            if (options.BatchableUseCases.Contains(useCase, StringComparer.Ordinal))
            {
                decimal listed = 0, batched = 0;
                foreach (var ((_, provider, model), all) in models)
                {
                    if (catalog.TryResolve(provider, model, at, out var price) && price.Batch is not null)
                    {
                        var notYet = Minus(all, all.Batch);
                        if (UsagePricing.Price(catalog, ModelUsage.Of(provider, model, notYet) with { Batch = true }, inputs.ToUtc) is { } atBatch)
                        {
                            listed += notYet.Cost;
                            batched += atBatch.Total;
                        }
                    }
                }

                if (listed > batched && left > 0)
                {
                    // The batch discount of its models, applied to what caching and routing left.
                    var saved = Math.Min(left, Math.Round((listed - batched) / baseCost * left, 9));
                    savings.Add(new Saving("batch processing", useCase, left, saved, (double)(saved / left),
                        $"send {useCase} through the providers' batch APIs (latency-tolerant)", null));
                }
            }
        }

        return savings;
    }

    public static List<RealisedSaving> Realised(ReportInputs inputs, PriceCatalog catalog)
    {
        var realised = new List<RealisedSaving>();
        foreach (var group in inputs.UseCaseModels.GroupBy(m => m.Key.UseCase, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            decimal prompt = 0, batch = 0;
            foreach (var ((_, provider, model), usage) in group)
            {
                // The same tokens priced as if no prompt cache had been read: the calls keep their size, so
                // their context tier too, and the difference is the cache-read tokens' discount at that tier.
                var seen = ModelUsage.Of(provider, model, usage);
                if (usage.CacheReadTokens > 0
                    && UsagePricing.Price(catalog, seen, inputs.ToUtc) is { } cached
                    && UsagePricing.Price(catalog, seen.WithoutCacheReads(), inputs.ToUtc) is { } uncached
                    && uncached.Total > cached.Total)
                {
                    prompt += uncached.Total - cached.Total;
                }

                // Batch calls at the prices they would have had through the standard API.
                if (usage.Batch is { Calls: > 0 } b && UsagePricing.Price(catalog, ModelUsage.Of(provider, model, b), inputs.ToUtc) is { } listed)
                {
                    batch += listed.Total - b.Cost;
                }
            }

            if (prompt > 0)
            {
                realised.Add(new RealisedSaving("prompt caching", group.Key, Math.Round(prompt, 9), "cache-read input tokens × (input − cached input price)"));
            }

            if (inputs.UseCases.GetValueOrDefault(group.Key) is { CacheHits: > 0 } u && u.CacheLookups > u.CacheHits)
            {
                var perMiss = u.Cost / (u.CacheLookups - u.CacheHits);
                realised.Add(new RealisedSaving("semantic caching", group.Key, Math.Round(u.CacheHits * perMiss, 9),
                    $"{u.CacheHits:N0} cache hits × {Usd(perMiss)}, the use case's cost per cache miss"));
            }

            if (batch > 0)
            {
                realised.Add(new RealisedSaving("batch processing", group.Key, Math.Round(batch, 9), "batch calls' tokens at list prices − what they cost"));
            }
        }

        return realised;
    }

    /// <summary>The repeat rate semantic caching is sized with, what it rests on, and whether it is the user's assumption.</summary>
    private static (double Rate, string Basis, bool Assumed) RepeatRate(ReportInputs inputs, ReportOptions options)
    {
        if (options.AssumedRepeatRate is { } assumed)
        {
            return (assumed, $"assumed: {assumed.ToString("0.#%", Inv)} of requests repeat (configured)", true);
        }

        var withCache = inputs.UseCases.Where(u => u.Value.CacheLookups > 0).OrderBy(u => u.Key, StringComparer.Ordinal).ToList();
        var lookups = withCache.Sum(u => u.Value.CacheLookups);
        if (lookups == 0)
        {
            return (0, string.Empty, false);
        }

        var rate = (double)withCache.Sum(u => u.Value.CacheHits) / lookups;
        return (rate, $"{string.Join(", ", withCache.Select(u => u.Key))} ({rate.ToString("0.#%", Inv)} of cache lookups hit)", false);
    }

    private static (string Model, decimal Cost, bool ReasoningAssumed)? BestTarget(ReportInputs inputs, PriceCatalog catalog, ReportOptions options, string provider, UsageTotals simple, DateTimeOffset at)
    {
        (string, decimal, bool)? best = null;
        foreach (var candidate in options.RoutingCandidates)
        {
            // Same provider only: a cheaper sibling is the realistic first step (same API, same prompts).
            if (!catalog.TryResolve(provider, candidate, at, out var price) || price.Provider != provider || price.Standard.Output is not > 0)
            {
                continue;
            }

            var (perOutput, assumed) = ReasoningPerOutput(inputs, options, provider, candidate);
            var reasoning = (long)Math.Round(simple.OutputTokens * perOutput);
            if (UsagePricing.Price(catalog, ModelUsage.Of(provider, candidate, simple, reasoning), at.UtcDateTime) is not { Total: var cost })
            {
                continue;
            }

            if (best is null || cost < best.Value.Item2)
            {
                best = (candidate, cost, assumed);
            }
        }

        return best;
    }

    /// <summary>Reasoning tokens per plain output token a target emits: observed in the window, else assumed for reasoning models, else none.</summary>
    private static (double PerOutput, bool Assumed) ReasoningPerOutput(ReportInputs inputs, ReportOptions options, string provider, string model)
    {
        if (inputs.Models.TryGetValue((provider, model), out var seen) && seen.OutputTokens > 0)
        {
            return ((double)seen.ReasoningTokens / seen.OutputTokens, false);
        }

        return options.ReasoningModelPrefixes.Any(p => model.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            ? (options.AssumedReasoningPerOutputToken, true)
            : (0, false);
    }

    private static UsageTotals Minus(UsageTotals all, UsageTotals? part) => part is null ? all : new UsageTotals
    {
        Cost = all.Cost - part.Cost,
        Calls = all.Calls - part.Calls,
        InputTokens = all.InputTokens - part.InputTokens,
        CacheReadTokens = all.CacheReadTokens - part.CacheReadTokens,
        CacheWriteTokens = all.CacheWriteTokens - part.CacheWriteTokens,
        OutputTokens = all.OutputTokens - part.OutputTokens,
        ReasoningTokens = all.ReasoningTokens - part.ReasoningTokens,
    };

    private static string Usd(decimal value) => ReportFormatting.Usd(value);
}
