using System.Diagnostics;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Deploy.Tests.EndToEnd;

/// <summary>
/// A small SaaS in one repeatable round of GenAI spans fed straight into the engine: three tiers, five
/// tenants, three use cases, three priced models and one unpriced, a semantic-cache hit, two agent tasks
/// (one over its token budget) and single-shot calls. Every round costs the same, so ratios read from
/// Prometheus do not depend on how many rounds it has scraped.
/// </summary>
internal static class Workload
{
    /// <summary>Over this many tokens an agent task is over budget: the researcher task (14,500) is, the triage task (2,400) is not.</summary>
    public const long TaskTokenBudget = 12_000;

    public static readonly ModelPrice Gpt4o = new() { Id = "gpt-4o", Provider = "openai", Standard = new PriceSet { Input = 2.50m, CachedInput = 1.25m, Output = 10.00m } };

    public static readonly ModelPrice Haiku = new() { Id = "claude-3-5-haiku", Provider = "anthropic", Standard = new PriceSet { Input = 0.80m, CachedInput = 0.08m, CacheWrite = 1.00m, Output = 4.00m } };

    public static readonly ModelPrice Embedding = new() { Id = "text-embedding-3-small", Provider = "openai", Standard = new PriceSet { Input = 0.02m } };

    /// <summary>Priced per call; the workload makes no rerank call, the entry is there for the per-call price gauge.</summary>
    public static readonly ModelPrice Rerank = new() { Id = "rerank-v3.5", Provider = "cohere", Standard = new PriceSet { PerCall = 0.002m } };

    public static readonly PriceCatalog Catalog = new([Gpt4o, Haiku, Embedding, Rerank]);

    // Infra kept small enough that no paid tier has a negative margin (that alert would inhibit margin
    // compression in Alertmanager, see deploy/alertmanager/alertmanager.yml).
    public static readonly TenantDirectory Tenants = new(
        [new TierInfo("free", 0m, true, 10m), new TierInfo("pro", 29m, false, 20m), new TierInfo("enterprise", 500m, false, 100m)],
        [
            new TenantInfo("acme", "pro", 29m, 120),
            new TenantInfo("initech", "pro", 29m, 60),
            new TenantInfo("globex", "enterprise", 500m, 900),
            new TenantInfo("hobbyist-1", "free", 0m, 5),
            new TenantInfo("hobbyist-2", "free", 0m, 3),
        ]);

    public static CostEngine NewEngine(IEnumerable<ICostSink> sinks) =>
        new(
            new UnitEconomicsOptions { UseDefaultCatalog = false, Budgets = { MaxTokensPerTask = TaskTokenBudget } },
            () => Catalog,
            () => Tenants,
            sinks);

    /// <summary>
    /// One round. Costs by hand (USD per million tokens × tokens / 1e6):
    /// acme pro:        support gpt-4o 1,000/200 = 2,500 + 2,000 = 0.0045;
    ///                  search, one RAG query: embedding 500 × 0.02 = 0.00001, then
    ///                  haiku 2,000 in (500 cache read)/100 = 1,500 × 0.8 + 500 × 0.08 + 100 × 4 = 0.00164: 0.00165;
    ///                  research agent "researcher" (AgentScenario's 14,500-token task, gpt-4o) = 11,100 × 2.5 + 3,400 × 10 = 0.06175;
    ///                  research single shot gpt-4o 2,000/1,000 = 0.015.
    /// initech pro:     support haiku 3,000 in (1,000 cache write)/300 = 2,000 × 0.8 + 1,000 × 1 + 300 × 4 = 0.0038.
    /// globex ent.:     support gpt-4o 4,000/1,000 = 0.02; search embedding cache hit 500 × 0.02 = 0.00001;
    ///                  research agent "triage" 2 × haiku 1,000/200 = 2 × (800 + 800) = 0.0032.
    /// hobbyist-1 free: support gpt-4o 4,000/1,000 = 0.02; support mistral/mystery-large 500/100: unpriced.
    /// hobbyist-2 free: search haiku 1,000/100 = 800 + 400 = 0.0012.
    /// Semantic cache, search: acme's haiku call followed a lookup that missed, globex's embedding hit, hobbyist-2
    /// looked nothing up: 1 hit of 2 lookups. Prompt cache, search: 500 of 4,000 input tokens read (haiku 500 of 3,000).
    /// Free 0.0212 of all 0.13111 (0.0829 + 0.0038 + 0.02321 + 0.0212).
    /// </summary>
    public static void RunRound(CostEngine engine)
    {
        Call(engine, "acme", "support", "openai", "gpt-4o", input: 1_000, output: 200);
        RagQuery(engine, "acme");
        AgentTask(engine, "acme", "research", "researcher", "openai", "gpt-4o", [(1_500, 500), (1_200, 300), (1_200, 300), (1_200, 300), (4_000, 1_000), (2_000, 1_000)]);
        Call(engine, "acme", "research", "openai", "gpt-4o", input: 2_000, output: 1_000);
        Call(engine, "initech", "support", "anthropic", "claude-3-5-haiku", input: 3_000, output: 300, cacheWrite: 1_000);
        Call(engine, "globex", "support", "openai", "gpt-4o", input: 4_000, output: 1_000);
        Call(engine, "globex", "search", "openai", "text-embedding-3-small", input: 500, operation: "embeddings", cacheHit: true);
        AgentTask(engine, "globex", "research", "triage", "anthropic", "claude-3-5-haiku", [(1_000, 200), (1_000, 200)]);
        Call(engine, "hobbyist-1", "support", "openai", "gpt-4o", input: 4_000, output: 1_000);
        Call(engine, "hobbyist-1", "support", "mistral", "mystery-large", input: 500, output: 100);
        Call(engine, "hobbyist-2", "search", "anthropic", "claude-3-5-haiku", input: 1_000, output: 100);
    }

    private static void Call(CostEngine engine, string tenant, string useCase, string provider, string model, long input, long output = 0, long cacheRead = 0, long cacheWrite = 0, string operation = "chat", bool? cacheHit = null)
    {
        using var span = Start(operation + " " + model, tenant, useCase);
        Model(span, operation, provider, model, input, output);
        if (cacheRead > 0)
        {
            span.SetTag("gen_ai.usage.cache_read.input_tokens", cacheRead);
        }

        if (cacheWrite > 0)
        {
            span.SetTag("gen_ai.usage.cache_creation.input_tokens", cacheWrite);
        }

        if (cacheHit is { } hit)
        {
            span.SetTag("ai.cache.hit", hit); // a semantic-cache lookup: hit, or miss and then the model call
        }

        End(engine, span);
    }

    /// <summary>
    /// acme's search as one user request of shape rag (DESIGN §7a): the app's request span, a plain root
    /// that is no call, over an embedding of the question and the completion after a semantic-cache miss.
    /// </summary>
    private static void RagQuery(CostEngine engine, string tenant)
    {
        using var request = Start("POST /search", tenant, "search");
        Call(engine, tenant, "search", "openai", "text-embedding-3-small", input: 500, operation: "embeddings");
        Call(engine, tenant, "search", "anthropic", "claude-3-5-haiku", input: 2_000, output: 100, cacheRead: 500, cacheHit: false);
        End(engine, request); // the root's end closes the request
    }

    /// <summary>An <c>invoke_agent</c> root with one model call per entry under it; children end (and are seen) before the root.</summary>
    private static void AgentTask(CostEngine engine, string tenant, string useCase, string agent, string provider, string model, (long Input, long Output)[] calls)
    {
        using var root = Start("invoke_agent " + agent, tenant, useCase);
        root.SetTag("gen_ai.operation.name", "invoke_agent").SetTag("gen_ai.agent.name", agent);
        foreach (var (input, output) in calls)
        {
            using var child = Start("chat " + model, tenant, useCase);
            Model(child, "chat", provider, model, input, output);
            End(engine, child);
        }

        End(engine, root);
    }

    private static Activity Start(string name, string tenant, string useCase)
    {
        // No ActivitySource: a bare Activity starts without a listener and takes Activity.Current as parent.
        var span = new Activity(name);
        span.SetTag("tenant.id", tenant).SetTag("ai.use_case", useCase);
        span.Start();
        return span;
    }

    private static void Model(Activity span, string operation, string provider, string model, long input, long output)
    {
        span.SetTag("gen_ai.operation.name", operation).SetTag("gen_ai.provider.name", provider).SetTag("gen_ai.request.model", model)
            .SetTag("gen_ai.usage.input_tokens", input);
        if (output > 0)
        {
            span.SetTag("gen_ai.usage.output_tokens", output);
        }
    }

    private static void End(CostEngine engine, Activity span)
    {
        span.Stop();
        engine.OnEnded(span);
    }
}
