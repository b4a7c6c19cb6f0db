using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace UnitEconomics.LoadGenerator;

/// <summary>
/// Realistic GenAI export batches: whole traces of three shapes (a chat request, a RAG request, an
/// agent task), every GenAI span with at least 14 attributes, tenants, models and use cases mixed.
/// Every batch has the same shape (so the engine's priced-call count per batch is known) and differs
/// in tenants, models, token counts and ids. The high 8 bytes of every trace id are a marker that the
/// senders overwrite with a fresh sequence number per send, so a re-sent template is new traces.
/// </summary>
internal sealed class Workload
{
    /// <summary>The high half of every trace id in a template; never occurs by chance in the rest of a batch.</summary>
    public static readonly byte[] TraceIdMarker = [0x5A, 0xC3, 0x96, 0x69, 0xA5, 0x3C, 0x69, 0x96];

    private static readonly (string Provider, string Model, bool Embedding)[] Models =
    [
        ("openai", "gpt-4o", false),
        ("openai", "gpt-4o-mini", false),
        ("openai", "gpt-4.1-mini", false),
        ("anthropic", "claude-sonnet-4-5", false),
        ("anthropic", "claude-haiku-4-5", false),
        ("gcp.gemini", "gemini-2.5-flash", false),
        ("mistral_ai", "mistral-small", false),
    ];

    private static readonly (string Provider, string Model)[] EmbeddingModels =
    [
        ("openai", "text-embedding-3-small"),
        ("gcp.gemini", "gemini-embedding-001"),
        ("cohere", "embed-v4.0"),
    ];

    private static readonly string[] UseCases = ["support", "search", "summarize", "code-review", "sales-assistant", "onboarding"];
    private static readonly string[] Services = ["chat-api", "rag-api", "agent-worker", "batch-summarizer"];

    private readonly Random random;
    private readonly int tenants;
    private readonly int tenantOffset;
    private ulong spanCounter;

    public Workload(int seed, int tenants, int tenantOffset = 0)
    {
        this.random = new Random(seed);
        this.tenants = tenants;
        this.tenantOffset = tenantOffset;
    }

    /// <summary>Spans per batch, model calls the engine prices per batch, agent tasks per batch.</summary>
    public int SpansPerBatch { get; private set; }

    public int PricedCallsPerBatch { get; private set; }

    public int AgentTasksPerBatch { get; private set; }

    /// <summary>One batch: <paramref name="traceTriples"/> repetitions of two chat requests, a RAG request and an agent task (2+2+4+11 = 19 spans, 10 model calls).</summary>
    public ExportTraceServiceRequest Batch(int traceTriples, Func<int>? nextTenant = null)
    {
        var byService = Services.ToDictionary(s => s, s => new ScopeSpans { Scope = new InstrumentationScope { Name = "Experimental.Microsoft.Extensions.AI", Version = "10.11.0" } });
        int spans = 0, priced = 0, tasks = 0;
        for (var t = 0; t < traceTriples; t++)
        {
            var tenant = "tenant-" + ((nextTenant?.Invoke() ?? this.random.Next(this.tenants)) + this.tenantOffset).ToString("D5");
            var useCase = UseCases[this.random.Next(UseCases.Length)];
            var conversation = "conv-" + this.random.Next(1_000_000);

            // A chat request, twice (the commonest shape): server span + one chat call.
            for (var k = 0; k < 2; k++)
            {
                var chatTrace = this.TraceId();
                var root = this.ServerSpan(chatTrace, "POST /api/chat", tenant);
                byService["chat-api"].Spans.Add(root);
                byService["chat-api"].Spans.Add(this.Inference(chatTrace, root.SpanId, "chat", Models[this.random.Next(Models.Length)], tenant, useCase, conversation));
                spans += 2;
                priced += 1;
            }

            // RAG: server span, embeddings, retrieval (unpriced here: no vector-search entry for it), chat.
            var ragTrace = this.TraceId();
            var ragRoot = this.ServerSpan(ragTrace, "POST /api/search", tenant);
            var embedding = EmbeddingModels[this.random.Next(EmbeddingModels.Length)];
            var rag = byService["rag-api"].Spans;
            rag.Add(ragRoot);
            rag.Add(this.Inference(ragTrace, ragRoot.SpanId, "embeddings", (embedding.Provider, embedding.Model, true), tenant, useCase, conversation));
            rag.Add(this.Retrieval(ragTrace, ragRoot.SpanId, tenant, useCase));
            rag.Add(this.Inference(ragTrace, ragRoot.SpanId, "chat", Models[this.random.Next(Models.Length)], tenant, useCase, conversation));
            spans += 4;
            priced += 2;

            // An agent task: server span, invoke_agent, planning call, three tool calls each followed by
            // a model call, a synthesis call and a retry (1 + 1 + 1 + 3×2 + 2 = 11 spans, 6 model calls).
            var agentTrace = this.TraceId();
            var agentRoot = this.ServerSpan(agentTrace, "POST /api/agent", tenant);
            var agent = this.AgentSpan(agentTrace, agentRoot.SpanId, tenant, useCase, conversation);
            var worker = byService["agent-worker"].Spans;
            worker.Add(agentRoot);
            worker.Add(agent);
            var model = Models[this.random.Next(Models.Length)];
            worker.Add(this.Inference(agentTrace, agent.SpanId, "chat", model, tenant, useCase, conversation));
            for (var tool = 0; tool < 3; tool++)
            {
                worker.Add(this.ToolSpan(agentTrace, agent.SpanId, tenant, useCase, tool));
                worker.Add(this.Inference(agentTrace, agent.SpanId, "chat", model, tenant, useCase, conversation));
            }

            worker.Add(this.Inference(agentTrace, agent.SpanId, "chat", model, tenant, useCase, conversation));
            worker.Add(this.Inference(agentTrace, agent.SpanId, "chat", model, tenant, useCase, conversation));
            spans += 11;
            priced += 6;
            tasks += 1;
        }

        var request = new ExportTraceServiceRequest();
        foreach (var (service, scope) in byService)
        {
            if (scope.Spans.Count == 0)
            {
                continue;
            }

            var resource = new Resource();
            resource.Attributes.Add(Str("service.name", service));
            resource.Attributes.Add(Str("service.version", "2.4.1"));
            resource.Attributes.Add(Str("deployment.environment.name", "production"));
            resource.Attributes.Add(Str("telemetry.sdk.language", "dotnet"));
            resource.Attributes.Add(Str("telemetry.sdk.name", "opentelemetry"));
            resource.Attributes.Add(Str("telemetry.sdk.version", "1.20.1"));
            request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope } });
        }

        this.SpansPerBatch = spans;
        this.PricedCallsPerBatch = priced;
        this.AgentTasksPerBatch = tasks;
        return request;
    }

    private ByteString TraceId()
    {
        Span<byte> id = stackalloc byte[16];
        TraceIdMarker.CopyTo(id);
        this.random.NextBytes(id[8..]);
        return ByteString.CopyFrom(id);
    }

    private ByteString NextSpanId()
    {
        Span<byte> id = stackalloc byte[8];
        this.random.NextBytes(id);
        id[0] |= 1; // never all zero
        return ByteString.CopyFrom(id);
    }

    private ulong Now() => 1_790_000_000_000_000_000UL + (this.spanCounter++ * 1_000_000UL);

    private Span ServerSpan(ByteString trace, string route, string tenant)
    {
        var start = this.Now();
        var span = new Span
        {
            TraceId = trace,
            SpanId = this.NextSpanId(),
            Name = route,
            Kind = Span.Types.SpanKind.Server,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + 900_000_000UL, // ends after its children
            Status = new Status { Code = Status.Types.StatusCode.Ok },
        };
        span.Attributes.Add(Str("http.request.method", "POST"));
        span.Attributes.Add(Str("http.route", route[5..]));
        span.Attributes.Add(Int("http.response.status_code", 200));
        span.Attributes.Add(Str("url.scheme", "https"));
        span.Attributes.Add(Str("tenant.id", tenant));
        return span;
    }

    private Span Inference(ByteString trace, ByteString parent, string operation, (string Provider, string Model, bool Embedding) model, string tenant, string useCase, string conversation)
    {
        var start = this.Now();
        var input = this.random.Next(200, 6_000);
        var output = model.Embedding ? 0 : this.random.Next(20, 1_200);
        var span = new Span
        {
            TraceId = trace,
            SpanId = this.NextSpanId(),
            ParentSpanId = parent,
            Name = operation + " " + model.Model,
            Kind = Span.Types.SpanKind.Client,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + (ulong)this.random.Next(80, 4_000) * 1_000_000UL,
        };
        span.Attributes.Add(Str("gen_ai.operation.name", operation));
        span.Attributes.Add(Str("gen_ai.provider.name", model.Provider));
        span.Attributes.Add(Str("gen_ai.request.model", model.Model));
        span.Attributes.Add(Str("gen_ai.response.model", model.Model));
        span.Attributes.Add(Int("gen_ai.request.max_tokens", 2_048));
        span.Attributes.Add(Dbl("gen_ai.request.temperature", 0.2));
        span.Attributes.Add(Str("gen_ai.response.id", "resp_" + this.random.Next().ToString("x8")));
        span.Attributes.Add(Int("gen_ai.usage.input_tokens", input));
        span.Attributes.Add(Int("gen_ai.usage.output_tokens", output));
        if (this.random.Next(3) == 0)
        {
            span.Attributes.Add(Int("gen_ai.usage.cache_read.input_tokens", input / 2));
        }

        span.Attributes.Add(Str("server.address", model.Provider switch { "openai" => "api.openai.com", "anthropic" => "api.anthropic.com", _ => "generativelanguage.googleapis.com" }));
        span.Attributes.Add(Int("server.port", 443));
        span.Attributes.Add(Str("gen_ai.conversation.id", conversation));
        span.Attributes.Add(Str("tenant.id", tenant));
        span.Attributes.Add(Str("ai.use_case", useCase));
        return span;
    }

    private Span Retrieval(ByteString trace, ByteString parent, string tenant, string useCase)
    {
        var start = this.Now();
        var span = new Span
        {
            TraceId = trace,
            SpanId = this.NextSpanId(),
            ParentSpanId = parent,
            Name = "query products",
            Kind = Span.Types.SpanKind.Client,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + 12_000_000UL,
        };
        span.Attributes.Add(Str("db.system.name", "qdrant"));
        span.Attributes.Add(Str("db.collection.name", "products"));
        span.Attributes.Add(Str("db.operation.name", "query"));
        span.Attributes.Add(Int("db.vector.query.top_k", 8));
        span.Attributes.Add(Str("tenant.id", tenant));
        span.Attributes.Add(Str("ai.use_case", useCase));
        return span;
    }

    private Span AgentSpan(ByteString trace, ByteString parent, string tenant, string useCase, string conversation)
    {
        var start = this.Now();
        var span = new Span
        {
            TraceId = trace,
            SpanId = this.NextSpanId(),
            ParentSpanId = parent,
            Name = "invoke_agent support-agent",
            Kind = Span.Types.SpanKind.Internal,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + 800_000_000UL,
        };
        span.Attributes.Add(Str("gen_ai.operation.name", "invoke_agent"));
        span.Attributes.Add(Str("gen_ai.provider.name", "openai"));
        span.Attributes.Add(Str("gen_ai.agent.name", "support-agent"));
        span.Attributes.Add(Str("gen_ai.agent.id", "asst_" + this.random.Next(100).ToString("D3")));
        span.Attributes.Add(Str("gen_ai.conversation.id", conversation));
        span.Attributes.Add(Str("tenant.id", tenant));
        span.Attributes.Add(Str("ai.use_case", useCase));
        return span;
    }

    private Span ToolSpan(ByteString trace, ByteString parent, string tenant, string useCase, int tool)
    {
        var start = this.Now();
        var span = new Span
        {
            TraceId = trace,
            SpanId = this.NextSpanId(),
            ParentSpanId = parent,
            Name = "execute_tool lookup_order",
            Kind = Span.Types.SpanKind.Internal,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + 30_000_000UL,
        };
        span.Attributes.Add(Str("gen_ai.operation.name", "execute_tool"));
        span.Attributes.Add(Str("gen_ai.tool.name", tool switch { 0 => "lookup_order", 1 => "search_kb", _ => "create_ticket" }));
        span.Attributes.Add(Str("gen_ai.tool.call.id", "call_" + this.random.Next().ToString("x8")));
        span.Attributes.Add(Str("gen_ai.tool.type", "function"));
        span.Attributes.Add(Str("tenant.id", tenant));
        span.Attributes.Add(Str("ai.use_case", useCase));
        return span;
    }

    private static KeyValue Str(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Int(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    private static KeyValue Dbl(string key, double value) => new() { Key = key, Value = new AnyValue { DoubleValue = value } };
}
