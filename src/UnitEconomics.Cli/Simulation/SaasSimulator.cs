using System.Diagnostics;
using Microsoft.Extensions.AI;
using UnitEconomics.Cli.Reconciliation;
using UnitEconomics.Otel.Budgets;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Simulation;

/// <summary>
/// A multi-tenant AI SaaS, simulated day by day: support (single-shot answers and tool-using agents),
/// search (RAG: embedding, semantic cache, vector search, rerank, LLM), generation (long outputs with
/// prompt caching) and classification (tiny calls). Every call is a real span made by the
/// OpenTelemetry SDK and Microsoft.Extensions.AI's OpenTelemetry clients, priced by the processor.
/// Deterministic for a seed. What it is built to show: a free tier that takes off in the last week,
/// support agents costing over 5x a single-shot answer, pro customers drifting to generation (margin
/// compression), AI spend unrelated to engagement, and a preview model nobody priced.
/// </summary>
public sealed class SaasSimulator
{
    public const string SourceName = "UnitEconomics.Demo";

    public static readonly string[] UseCases = ["support", "search", "generation", "classification"];

    private static readonly ActivitySource Source = new(SourceName);

    private readonly TenantDirectory tenants;
    private readonly SimulatedClock clock;
    private readonly Random random;
    private readonly Dictionary<string, IChatClient> chats = new(StringComparer.Ordinal);
    private readonly IEmbeddingGenerator<string, Embedding<float>> embeddings;
    private readonly Dictionary<string, double> intensity = new(StringComparer.Ordinal);
    private readonly CostEngine engine;
    private readonly ProviderLedger? ledger;
    private readonly Dictionary<string, IChatClient> untraced = new(StringComparer.Ordinal);
    private List<(TenantInfo Tenant, double Rate)>? weights;

    public SaasSimulator(TenantDirectory tenants, SimulatedClock clock, CostEngine engine, int seed, ProviderLedger? ledger = null)
    {
        this.ledger = ledger;
        this.tenants = tenants;
        this.clock = clock;
        this.engine = engine;
        this.random = new Random(seed);
        this.embeddings = new SimulatedEmbeddingGenerator("openai", "text-embedding-3-small", clock)
            .AsBuilder().UseOpenTelemetry(sourceName: SourceName).Build();

        // How heavily each tenant uses AI: independent of its engagement figure on purpose.
        foreach (var t in tenants.Tenants)
        {
            this.intensity[t.Id] = Math.Exp((this.random.NextDouble() * 1.6) - 0.8);
        }
    }

    public long Requests { get; private set; }

    public long BudgetStops { get; private set; }

    /// <summary>Simulates one day starting at <paramref name="dayStartUtc"/>; day <paramref name="day"/> of <paramref name="days"/>.</summary>
    public async Task RunDayAsync(DateTime dayStartUtc, int day, int days)
    {
        var requests = new List<(double At, TenantInfo Tenant, string UseCase)>();
        foreach (var tenant in this.tenants.Tenants)
        {
            var rate = this.DailyRate(tenant, day, days);
            var count = Poisson(this.random, rate);
            for (var i = 0; i < count; i++)
            {
                requests.Add((this.random.NextDouble(), tenant, this.PickUseCase(tenant.Tier, day, days)));
            }
        }

        requests.Sort((a, b) => a.At.CompareTo(b.At));
        foreach (var (at, tenant, useCase) in requests)
        {
            var when = dayStartUtc.AddDays(at);
            if (when > this.clock.Now)
            {
                this.clock.Now = when;
            }

            await this.RunRequestAsync(tenant, useCase);
        }
    }

    /// <summary>One request from a tenant drawn in proportion to its usage (the live traffic of <c>demo --serve</c>).</summary>
    public Task RunRandomRequestAsync()
    {
        this.weights ??= [.. this.tenants.Tenants.Select(t => (t, this.DailyRate(t, 0, 1)))];
        var total = this.weights.Sum(w => w.Rate);
        var pick = this.random.NextDouble() * total;
        foreach (var (tenant, rate) in this.weights)
        {
            pick -= rate;
            if (pick <= 0)
            {
                return this.RunRequestAsync(tenant, this.PickUseCase(tenant.Tier, 0, 1));
            }
        }

        var last = this.weights[^1].Tenant;
        return this.RunRequestAsync(last, this.PickUseCase(last.Tier, 0, 1));
    }

    /// <summary>One user request of <paramref name="tenant"/> for <paramref name="useCase"/>: every span it makes.</summary>
    public async Task RunRequestAsync(TenantInfo tenant, string useCase)
    {
        this.Requests++;
        using var request = Source.StartActivity("POST /api/" + useCase, ActivityKind.Server);
        request?.AddBaggage("tenant.id", tenant.Id);
        request?.AddBaggage("ai.use_case", useCase);
        switch (useCase)
        {
            case "support":
                if (this.random.NextDouble() < 0.4)
                {
                    await this.SupportAgentAsync();
                }
                else
                {
                    await this.ChatAsync("openai", "gpt-4.1-mini", this.Between(1_500, 2_500), this.Between(250, 550));
                }

                break;
            case "search":
                await this.RagAsync(tenant);
                break;
            case "generation":
                var input = this.Between(1_500, 3_000);
                await this.ChatAsync("anthropic", "claude-sonnet-4-5", input, this.Between(800, 2_000), cached: input * 6 / 10);
                break;
            default:
                await this.ChatAsync("openai", "gpt-4.1-nano", this.Between(300, 800), this.Between(5, 20));
                break;
        }

        // Enterprise tenants trial a preview model that nobody added to the price catalog.
        if (tenant.Tier == "enterprise" && this.random.NextDouble() < 0.01)
        {
            await this.ChatAsync("acme-ai", "acme-llm-preview", this.Between(500, 1_000), this.Between(100, 200));
        }
    }

    private async Task SupportAgentAsync()
    {
        using var root = Source.StartActivity("invoke_agent support-agent");
        root?.SetTag("gen_ai.operation.name", "invoke_agent");
        root?.SetTag("gen_ai.agent.name", "support-agent");
        root?.SetTag("gen_ai.provider.name", "openai");
        try
        {
            await this.ChatAsync("openai", "gpt-4.1-mini", this.Between(1_300, 1_700), this.Between(400, 600));   // planning
            var failed = this.random.NextDouble() < 0.3;
            for (var i = 0; i < 3; i++)
            {
                using var tool = Source.StartActivity("execute_tool lookup_order");
                tool?.SetTag("gen_ai.operation.name", "execute_tool");
                tool?.SetTag("gen_ai.tool.name", "lookup_order");
                this.clock.Advance(TimeSpan.FromMilliseconds(120));
                await this.ChatAsync("openai", "gpt-4.1-mini", this.Between(1_000, 1_400), this.Between(250, 350));
                if (failed && i == 2)
                {
                    tool?.SetStatus(ActivityStatusCode.Error, "order service timed out");
                }
            }

            if (failed)
            {
                await this.ChatAsync("openai", "gpt-4.1-mini", this.Between(3_500, 4_500), this.Between(800, 1_200)); // retry
            }

            // Now and then an agent loops on an answer it does not trust, until its token budget stops it.
            if (this.random.NextDouble() < 0.02)
            {
                for (var i = 0; i < 20; i++)
                {
                    await this.ChatAsync("openai", "gpt-4.1-mini", this.Between(3_000, 4_000), this.Between(500, 900));
                }
            }

            await this.ChatAsync("openai", "gpt-4.1-mini", this.Between(1_800, 2_200), this.Between(800, 1_200)); // synthesis
        }
        catch (BudgetExceededException ex)
        {
            this.BudgetStops++;
            root?.SetStatus(ActivityStatusCode.Error, ex.Message);
        }
    }

    private async Task RagAsync(TenantInfo tenant)
    {
        var queryTokens = this.Between(20, 80);
        await this.embeddings.GenerateAsync(["the user's question"], new EmbeddingGenerationOptions
        {
            AdditionalProperties = new() { [SimulatedEmbeddingGenerator.TokensKey] = queryTokens },
        });
        this.ledger?.RecordEmbedding(this.clock.Now, "openai", "text-embedding-3-small", queryTokens);

        using (var lookup = Source.StartActivity("semantic_cache lookup"))
        {
            // Free-tier users ask the same popular questions: more of them hit the cache.
            var hit = this.random.NextDouble() < (tenant.Tier == "free" ? 0.45 : 0.3);
            lookup?.SetTag("ai.cache.hit", hit);
            this.clock.Advance(TimeSpan.FromMilliseconds(3));
            if (hit)
            {
                return;
            }
        }

        using (var search = Source.StartActivity("retrieval vector-search"))
        {
            search?.SetTag("gen_ai.operation.name", "retrieval");
            search?.SetTag("gen_ai.provider.name", "gcp.vertex_ai");
            search?.SetTag("gen_ai.request.model", "vector-search");
            this.clock.Advance(TimeSpan.FromMilliseconds(25));
        }

        using (var rerank = Source.StartActivity("rerank rerank-v3.5"))
        {
            rerank?.SetTag("gen_ai.operation.name", "rerank");
            rerank?.SetTag("gen_ai.provider.name", "cohere");
            rerank?.SetTag("gen_ai.request.model", "rerank-v3.5");
            this.clock.Advance(TimeSpan.FromMilliseconds(60));
        }

        await this.ChatAsync("anthropic", "claude-haiku-4-5", this.Between(3_000, 6_000), this.Between(200, 400));
    }

    private async Task<ChatResponse> ChatAsync(string provider, string model, long input, long output, long cached = 0)
    {
        if (!this.chats.TryGetValue(model, out var chat))
        {
            chat = new SimulatedChatClient(provider, model, this.clock).AsBuilder()
                .UseUnitEconomicsBudget(this.engine)
                .UseOpenTelemetry(sourceName: SourceName)
                .Build();
            this.chats[model] = chat;
        }

        // With a ledger (demo --bills), some calls go through a worker nobody instrumented: no span, still billed.
        if (this.ledger?.SkipsTracing(model) == true)
        {
            if (!this.untraced.TryGetValue(model, out var bare))
            {
                this.untraced[model] = bare = new SimulatedChatClient(provider, model, this.clock);
            }

            chat = bare;
        }

        var response = await chat.GetResponseAsync("simulated prompt", new ChatOptions
        {
            ModelId = model,
            AdditionalProperties = new()
            {
                [SimulatedChatClient.UsageKey] = new UsageDetails
                {
                    InputTokenCount = input,
                    OutputTokenCount = output,
                    TotalTokenCount = input + output,
                    CachedInputTokenCount = cached == 0 ? null : cached,
                },
            },
        });
        this.ledger?.RecordChat(this.clock.Now, provider, model, input, cached, output);
        return response;
    }

    private double DailyRate(TenantInfo tenant, int day, int days)
    {
        var baseRate = tenant.Tier switch
        {
            "enterprise" => 30.0,
            "pro" => 8.0,
            _ => 0.6,
        };

        // The free tier takes off in the last week (a launch went viral).
        var lastWeekStart = Math.Max(0, days - 7);
        if (tenant.Tier == "free" && day >= lastWeekStart)
        {
            baseRate *= 3.0 + (2.0 * (day - lastWeekStart) / 7.0);
        }

        return baseRate * this.intensity[tenant.Id];
    }

    private string PickUseCase(string tier, int day, int days)
    {
        // Pro customers drift to generation, faster and faster: their cost per customer grows, revenue does not.
        var drift = days <= 1 ? 0 : (double)day / (days - 1);
        (double Support, double Search, double Generation) mix = tier switch
        {
            "enterprise" => (0.35, 0.35, 0.15),
            "pro" => (0.30, 0.30 - (0.15 * drift * drift), 0.10 + (0.45 * drift * drift)),
            _ => (0.30, 0.50, 0.05),
        };
        var r = this.random.NextDouble();
        return r < mix.Support ? "support"
            : r < mix.Support + mix.Search ? "search"
            : r < mix.Support + mix.Search + mix.Generation ? "generation"
            : "classification";
    }

    private long Between(long min, long max) => min + (long)(this.random.NextDouble() * (max - min));

    private static int Poisson(Random random, double mean)
    {
        if (mean > 50)
        {
            // Normal approximation keeps big tenants cheap to draw.
            var u = 1.0 - random.NextDouble();
            var v = random.NextDouble();
            var normal = Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * normal)));
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= random.NextDouble();
        }
        while (p > limit);
        return k - 1;
    }
}
