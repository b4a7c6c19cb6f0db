using System.Diagnostics;

namespace UnitEconomics.Otel.Spans;

/// <summary>Outcome of reading a span.</summary>
public enum NormalizeResult : byte
{
    /// <summary>No GenAI attribute: the engine does nothing more with the span.</summary>
    NotGenAi,
    Ok,
    Rejected,
}

/// <summary>
/// Reads a span into a <see cref="GenAiCall"/> in one pass over its attributes: every key and alias of
/// DESIGN §3 maps to a field and a precedence, so the primary key wins over an alias whatever the order
/// the producer wrote them in.
/// </summary>
public sealed partial class SpanNormalizer
{
    public const string Unknown = "unknown";

    /// <summary>Deprecated <c>gen_ai.system</c> values and the <c>gen_ai.provider.name</c> ones they map to.</summary>
    private static readonly KeyTable<string> ProviderAliases = new(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["az.ai.openai"] = "azure.ai.openai",
        ["vertex_ai"] = "gcp.vertex_ai",
        ["gemini"] = "gcp.gemini",
        ["xai"] = "x_ai",
    });

    /// <summary>The operation names, each with our instance of it (so later checks compare references) and how it is priced.</summary>
    private static readonly KeyTable<(string Name, OperationKind Kind)> Operations = new(new[]
    {
        GenAiAttributes.Operations.Chat, GenAiAttributes.Operations.TextCompletion, GenAiAttributes.Operations.GenerateContent,
        GenAiAttributes.Operations.Embeddings, GenAiAttributes.Operations.Retrieval, GenAiAttributes.Operations.Rerank,
        GenAiAttributes.Operations.ExecuteTool, GenAiAttributes.Operations.InvokeAgent, GenAiAttributes.Operations.CreateAgent,
        GenAiAttributes.Operations.InvokeWorkflow,
    }.Select(o => new KeyValuePair<string, (string, OperationKind)>(o, (o, ClassifyByValue(o)))));

    private readonly KeyTable<Slot> keys;
    private readonly string[] tenantKeys;
    private readonly string[] useCaseKeys;
    private readonly int maxLabelLength;

    public SpanNormalizer(SpanReadingOptions? options = null)
    {
        options ??= new SpanReadingOptions();
        this.maxLabelLength = Math.Max(8, options.MaxLabelLength);
        this.tenantKeys = [.. options.EffectiveTenantKeys];
        this.useCaseKeys = [.. options.EffectiveUseCaseKeys];

        var map = new Dictionary<string, Slot>(StringComparer.Ordinal);
        void Add(string key, Field field, byte precedence) => map.TryAdd(key, new Slot(field, precedence, field is not (Field.Tenant or Field.UseCase or Field.Conversation)));

        Add(GenAiAttributes.GenAi.OperationName, Field.Operation, 0);
        Add(GenAiAttributes.GenAi.ProviderName, Field.Provider, 0);
        Add(GenAiAttributes.GenAi.System, Field.Provider, 1);
        Add(GenAiAttributes.GenAi.Response.Model, Field.Model, 0);
        Add(GenAiAttributes.GenAi.Request.Model, Field.Model, 1);
        Add(GenAiAttributes.GenAi.Usage.InputTokens, Field.Input, 0);
        Add(GenAiAttributes.GenAi.Usage.PromptTokens, Field.Input, 1);
        Add(GenAiAttributes.Llm.PromptTokenCount, Field.Input, 2);
        Add(GenAiAttributes.GenAi.Usage.OutputTokens, Field.Output, 0);
        Add(GenAiAttributes.GenAi.Usage.CompletionTokens, Field.Output, 1);
        Add(GenAiAttributes.Llm.CompletionTokenCount, Field.Output, 2);
        Add(GenAiAttributes.GenAi.Usage.CacheReadInputTokens, Field.CacheRead, 0);
        Add(GenAiAttributes.GenAi.Usage.CacheReadInputTokensLegacy, Field.CacheRead, 1);
        Add(GenAiAttributes.GenAi.Usage.CacheCreationInputTokens, Field.CacheWrite, 0);
        Add(GenAiAttributes.GenAi.Usage.CacheWriteInputTokens, Field.CacheWrite, 1);
        Add(GenAiAttributes.GenAi.Usage.CacheCreationInputTokensLegacy, Field.CacheWrite, 2);
        Add(GenAiAttributes.GenAi.Usage.ReasoningOutputTokens, Field.Reasoning, 0);
        Add(GenAiAttributes.GenAi.Usage.ReasoningTokensLegacy, Field.Reasoning, 1);
        Add(GenAiAttributes.GenAi.Usage.CostAmount, Field.Cost, 0);
        Add(GenAiAttributes.GenAi.Usage.Cost, Field.Cost, 1);
        Add(GenAiAttributes.Llm.CostTotal, Field.Cost, 2);
        Add(GenAiAttributes.GenAi.Usage.CostCurrency, Field.CostCurrency, 0);
        Add(GenAiAttributes.GenAi.ConversationId, Field.Conversation, 0);
        Add(GenAiAttributes.SessionId, Field.Conversation, 1);
        Add(GenAiAttributes.GenAi.Agent.Name, Field.Agent, 0);
        Add(GenAiAttributes.GenAi.Agent.Id, Field.Agent, 1);
        Add(GenAiAttributes.GenAi.Tool.Name, Field.Tool, 0);
        Add(GenAiAttributes.GenAi.DataSource.Id, Field.DataSource, 0);
        Add(GenAiAttributes.GenAi.Response.Id, Field.ResponseId, 0);
        Add(GenAiAttributes.UnitEconomics.TaskRoot, Field.TaskRoot, 0);
        Add(GenAiAttributes.UnitEconomics.Batch, Field.Batch, 0);
        for (var i = 0; i < this.tenantKeys.Length; i++)
        {
            Add(this.tenantKeys[i], Field.Tenant, (byte)Math.Min(i, 250));
        }

        for (var i = 0; i < this.useCaseKeys.Length; i++)
        {
            Add(this.useCaseKeys[i], Field.UseCase, (byte)Math.Min(i, 250));
        }

        var cacheHitKeys = options.EffectiveCacheHitKeys;
        for (var i = 0; i < cacheHitKeys.Count; i++)
        {
            Add(cacheHitKeys[i], Field.CacheHit, (byte)Math.Min(i, 250));
        }

        this.keys = new KeyTable<Slot>(map);
    }

    /// <summary>
    /// Reads <paramref name="span"/>. On <see cref="NormalizeResult.Rejected"/>, <paramref name="reason"/>
    /// says why; on <see cref="NormalizeResult.NotGenAi"/> nothing in <paramref name="call"/> is meaningful.
    /// </summary>
    public NormalizeResult Normalize<TSpan>(in TSpan span, out GenAiCall call, out RejectReason reason)
        where TSpan : struct, ISpanView
    {
        var collector = new Collector(this);
        span.VisitAttributes(ref collector);
        return this.Finish(span, ref collector, out call, out reason);
    }

    /// <summary>
    /// Reads an in-process <paramref name="activity"/>: each tag's object is kept as it is and only the
    /// ones read are converted, once (the per-span path of the processor). <paramref name="resource"/> is
    /// the tracer provider's resource, where a tenant may be set for the whole process.
    /// </summary>
    public NormalizeResult Normalize(Activity activity, IReadOnlyDictionary<string, object>? resource, out GenAiCall call, out RejectReason reason)
    {
        var tags = default(TagFields);
        tags.Read(this.keys, activity);
        return this.Finish(new ActivitySpanView(activity, resource), ref tags, out call, out reason);
    }

    private NormalizeResult Finish<TSpan, TFields>(in TSpan span, ref TFields fields, out GenAiCall call, out RejectReason reason)
        where TSpan : struct, ISpanView
        where TFields : struct, IFields
    {
        reason = RejectReason.None;
        var operation = fields.String(Field.Operation);
        var kind = OperationKind.Other;
        if (operation is null)
        {
            operation = OperationFromSpanName(span.Name);
            kind = operation is null ? OperationKind.Other : Classify(operation);
        }
        else if (Operations.TryGetValue(operation, out var known))
        {
            (operation, kind) = known; // our instance: later checks compare references
        }

        if (!fields.AnyGenAi && operation is null)
        {
            call = default;
            return NormalizeResult.NotGenAi;
        }

        if (!fields.TryGetTokens(Field.Input, out var input, ref reason)
            || !fields.TryGetTokens(Field.Output, out var output, ref reason)
            || !fields.TryGetTokens(Field.CacheRead, out var cacheRead, ref reason)
            || !fields.TryGetTokens(Field.CacheWrite, out var cacheWrite, ref reason)
            || !fields.TryGetTokens(Field.Reasoning, out var reasoning, ref reason))
        {
            call = default;
            return NormalizeResult.Rejected;
        }

        var reportedCost = 0m;
        var hasReportedCost = fields.Has(Field.Cost);
        if (hasReportedCost && !fields.Value(Field.Cost).TryGetAmount(out reportedCost, out reason))
        {
            call = default;
            return NormalizeResult.Rejected;
        }

        // Every field is written once, here (the struct is not zeroed first: this runs per span).
        call.InputTokens = input;
        call.OutputTokens = output;
        call.CacheReadTokens = cacheRead;
        call.CacheWriteTokens = cacheWrite;
        call.ReasoningTokens = reasoning;
        call.HasReportedCost = hasReportedCost;
        call.ReportedCost = reportedCost;
        call.ReportedCurrency = hasReportedCost ? fields.String(Field.CostCurrency) : null;
        call.HasTokens = fields.Has(Field.Input) || fields.Has(Field.Output) || fields.Has(Field.CacheRead)
            || fields.Has(Field.CacheWrite) || fields.Has(Field.Reasoning);
        call.Operation = operation ?? Unknown;
        call.Kind = kind;
        call.Provider = this.Label(NormalizeProvider(fields.String(Field.Provider)));
        call.Model = this.Label(fields.String(Field.Model));
        call.ConversationId = fields.String(Field.Conversation);
        call.AgentName = fields.String(Field.Agent);
        call.ToolName = fields.String(Field.Tool);
        call.DataSourceId = fields.String(Field.DataSource);
        call.ResponseId = fields.String(Field.ResponseId);
        call.Cache = !fields.Has(Field.CacheHit) ? CacheLookup.None : fields.IsTrue(Field.CacheHit) ? CacheLookup.Hit : CacheLookup.Miss;
        call.IsBatch = fields.IsTrue(Field.Batch);
        call.IsTaskRoot = fields.IsTrue(Field.TaskRoot);
        call.Tenant = this.Label(fields.String(Field.Tenant) ?? this.FromBaggageOrResource(span, this.tenantKeys, useResource: true));
        call.UseCase = this.Label(fields.String(Field.UseCase) ?? this.FromBaggageOrResource(span, this.useCaseKeys, useResource: false));
        call.IsError = span.IsError;
        call.TraceId = span.TraceId;
        call.SpanId = span.SpanId;
        call.StartTimeUtc = span.StartTimeUtc;
        call.EndTimeUtc = span.EndTimeUtc;
        return NormalizeResult.Ok;
    }

    /// <summary>
    /// Whether the normalizer reads attribute <paramref name="key"/> at all (a GenAI key, an alias, or a
    /// configured tenant, use-case or cache-hit key): the OTLP receivers decode only these.
    /// </summary>
    public bool ReadsKey(string key) => this.keys.TryGetValue(key, out _);

    /// <summary>
    /// Whether a live <paramref name="activity"/> starts an agent task (<see cref="GenAiCall.StartsTask"/>),
    /// and the agent it names: how the in-process door reads a span's ancestors, which are still open.
    /// </summary>
    public bool StartsTask(Activity activity, out string? agentName)
    {
        if (this.Normalize(activity, resource: null, out var call, out _) == NormalizeResult.Ok && call.StartsTask)
        {
            agentName = call.AgentName;
            return true;
        }

        agentName = null;
        return false;
    }

    /// <summary>
    /// Whether <see cref="Normalize"/> could find <paramref name="activity"/> a GenAI span: it has a GenAI key
    /// (not only tenant, use case or conversation) or its name names an operation. GenAI instrumentations set
    /// <c>gen_ai.operation.name</c> first, so for them this stops at the first tag; other spans cost one
    /// pass over their keys. Lets the processor hand over only the spans the engine would read.
    /// </summary>
    public bool MayBeGenAi(Activity activity)
    {
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            if (this.keys.TryGetValue(tag.Key, out var slot) && slot.MarksGenAi)
            {
                return true;
            }
        }

        // A span name alone may name a GenAI operation (chat gpt-4o), as Normalize accepts.
        return OperationFromSpanName(activity.DisplayName) is not null;
    }

    /// <summary>Maps the operation name to how it is priced.</summary>
    private static OperationKind Classify(string operation) =>
        Operations.TryGetValue(operation, out var known) ? known.Kind : OperationKind.Other;

    private static OperationKind ClassifyByValue(string operation) => operation switch
    {
        GenAiAttributes.Operations.Chat or GenAiAttributes.Operations.TextCompletion or GenAiAttributes.Operations.GenerateContent
            or GenAiAttributes.Operations.Embeddings => OperationKind.Inference,
        GenAiAttributes.Operations.Retrieval or GenAiAttributes.Operations.Rerank => OperationKind.PerCall,
        GenAiAttributes.Operations.ExecuteTool => OperationKind.Tool,
        GenAiAttributes.Operations.InvokeAgent or GenAiAttributes.Operations.InvokeWorkflow => OperationKind.Agent,
        _ => OperationKind.Other,
    };

    /// <summary>Maps deprecated <c>gen_ai.system</c> values to <c>gen_ai.provider.name</c> ones.</summary>
    public static string? NormalizeProvider(string? provider) =>
        provider is not null && ProviderAliases.TryGetValue(provider, out var mapped) ? mapped : provider;

    /// <summary>A label value: <c>unknown</c> when absent or blank, cut to the length cap.</summary>
    public string Label(string? value)
    {
        // A blank value starts with white space: only then is the whole string scanned.
        if (string.IsNullOrEmpty(value) || (char.IsWhiteSpace(value[0]) && string.IsNullOrWhiteSpace(value)))
        {
            return Unknown;
        }

        return value.Length <= this.maxLabelLength ? value : value[..this.maxLabelLength];
    }

    private static string? OperationFromSpanName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var space = name.IndexOf(' ', StringComparison.Ordinal);
        var head = space < 0 ? name.AsSpan() : name.AsSpan(0, space);
        return (space < 0 ? Operations.TryGetValue(name, out var known) : Operations.TryGetValue(head, out known)) ? known.Name : null;
    }

    private string? FromBaggageOrResource<TSpan>(in TSpan span, string[] keys, bool useResource)
        where TSpan : struct, ISpanView
    {
        foreach (var key in keys)
        {
            var baggage = span.GetBaggage(key);
            if (!string.IsNullOrEmpty(baggage))
            {
                return baggage;
            }
        }

        if (useResource)
        {
            foreach (var key in keys)
            {
                if (span.TryGetResourceAttribute(key, out var value) && value.AsString() is { Length: > 0 } text)
                {
                    return text;
                }
            }
        }

        return null;
    }

}
