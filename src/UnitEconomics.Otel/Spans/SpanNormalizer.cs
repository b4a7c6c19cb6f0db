using System.Collections.Frozen;
using System.Runtime.CompilerServices;

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
public sealed class SpanNormalizer
{
    public const string Unknown = "unknown";

    private static readonly FrozenDictionary<string, string> ProviderAliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["az.ai.openai"] = "azure.ai.openai",
        ["vertex_ai"] = "gcp.vertex_ai",
        ["gemini"] = "gcp.gemini",
        ["xai"] = "x_ai",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> KnownOperations = new[]
    {
        GenAiAttributes.Operations.Chat, GenAiAttributes.Operations.TextCompletion, GenAiAttributes.Operations.GenerateContent,
        GenAiAttributes.Operations.Embeddings, GenAiAttributes.Operations.Retrieval, GenAiAttributes.Operations.Rerank,
        GenAiAttributes.Operations.ExecuteTool, GenAiAttributes.Operations.InvokeAgent, GenAiAttributes.Operations.CreateAgent,
        GenAiAttributes.Operations.InvokeWorkflow,
    }.ToFrozenDictionary(o => o, o => o, StringComparer.Ordinal);

    /// <summary>The operation names by reference (instrumentations set them with literals), with how each is priced.</summary>
    private static readonly IdentityKeyTable<OperationKind> OperationsByIdentity =
        new(KnownOperations.Keys.Select(o => new KeyValuePair<string, OperationKind>(o, ClassifyByValue(o))));

    private readonly FrozenDictionary<string, Slot> slots;
    private readonly IdentityKeyTable<Slot> byIdentity;
    private readonly ulong lengthMask;
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
        void Add(string key, Field field, byte precedence) => map.TryAdd(key, new Slot(field, precedence));

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

        this.slots = map.ToFrozenDictionary(StringComparer.Ordinal);

        // Instrumentations set tags with string literals, which the runtime interns: looking a key up by
        // reference first avoids hashing its characters. Keys built at run time (decoded OTLP, say) fall
        // back to the ordinal lookup, which the length mask skips for lengths no known key has.
        this.byIdentity = new IdentityKeyTable<Slot>(map);
        foreach (var key in map.Keys)
        {
            this.lengthMask |= key.Length < 64 ? 1UL << key.Length : 1UL << 63;
        }
    }

    internal enum Field : byte
    {
        Operation,
        Provider,
        Model,
        Input,
        Output,
        CacheRead,
        CacheWrite,
        Reasoning,
        Cost,
        CostCurrency,
        Conversation,
        Agent,
        Tool,
        ResponseId,
        Tenant,
        UseCase,
        CacheHit,
        TaskRoot,
        Batch,
        Count,
    }

    /// <summary>
    /// Reads <paramref name="span"/>. On <see cref="NormalizeResult.Rejected"/>, <paramref name="reason"/>
    /// says why; on <see cref="NormalizeResult.NotGenAi"/> nothing in <paramref name="call"/> is meaningful.
    /// </summary>
    public NormalizeResult Normalize<TSpan>(in TSpan span, out GenAiCall call, out RejectReason reason)
        where TSpan : struct, ISpanView
    {
        call = default;
        reason = RejectReason.None;
        var collector = new Collector(this);
        if (typeof(TSpan) == typeof(ActivitySpanView))
        {
            // In-process fast path (the branch is resolved when the method is compiled for this type):
            // look the key up first and convert only the values of keys the engine reads.
            var activity = Unsafe.As<TSpan, ActivitySpanView>(ref Unsafe.AsRef(in span)).Activity;
            foreach (ref readonly var tag in activity.EnumerateTagObjects())
            {
                if (tag.Value is not null && this.TryGetSlot(tag.Key, out var slot))
                {
                    collector.Store(slot, AttributeValue.FromObject(tag.Value));
                }
            }
        }
        else
        {
            span.VisitAttributes(ref collector);
        }

        var operation = collector.Values[(int)Field.Operation].AsString();
        if (operation is null)
        {
            operation = OperationFromSpanName(span.Name);
        }
        else if (!OperationsByIdentity.TryGetValue(operation, out _) && KnownOperations.TryGetValue(operation, out var interned))
        {
            operation = interned; // an equal string that is not the literal: use ours, so later checks compare references
        }

        if (!collector.AnyGenAi && operation is null)
        {
            return NormalizeResult.NotGenAi;
        }

        if (!ReadTokens(ref collector, Field.Input, out call.InputTokens, ref reason)
            || !ReadTokens(ref collector, Field.Output, out call.OutputTokens, ref reason)
            || !ReadTokens(ref collector, Field.CacheRead, out call.CacheReadTokens, ref reason)
            || !ReadTokens(ref collector, Field.CacheWrite, out call.CacheWriteTokens, ref reason)
            || !ReadTokens(ref collector, Field.Reasoning, out call.ReasoningTokens, ref reason))
        {
            return NormalizeResult.Rejected;
        }

        ref readonly var cost = ref collector.Values[(int)Field.Cost];
        if (cost.IsPresent)
        {
            if (!cost.TryGetAmount(out call.ReportedCost, out reason))
            {
                return NormalizeResult.Rejected;
            }

            call.HasReportedCost = true;
            call.ReportedCurrency = collector.Values[(int)Field.CostCurrency].AsString();
        }

        call.HasTokens = collector.Values[(int)Field.Input].IsPresent || collector.Values[(int)Field.Output].IsPresent
            || collector.Values[(int)Field.CacheRead].IsPresent || collector.Values[(int)Field.CacheWrite].IsPresent
            || collector.Values[(int)Field.Reasoning].IsPresent;
        call.Operation = operation ?? Unknown;
        call.Kind = Classify(call.Operation);
        call.Provider = this.Label(NormalizeProvider(collector.Values[(int)Field.Provider].AsString()));
        call.Model = this.Label(collector.Values[(int)Field.Model].AsString());
        call.ConversationId = collector.Values[(int)Field.Conversation].AsString();
        call.AgentName = collector.Values[(int)Field.Agent].AsString();
        call.ToolName = collector.Values[(int)Field.Tool].AsString();
        call.ResponseId = collector.Values[(int)Field.ResponseId].AsString();
        call.CacheHit = collector.Values[(int)Field.CacheHit].IsTrue();
        call.IsBatch = collector.Values[(int)Field.Batch].IsTrue();
        call.IsTaskRoot = collector.Values[(int)Field.TaskRoot].IsTrue();
        call.Tenant = this.Label(collector.Values[(int)Field.Tenant].AsString() ?? this.FromBaggageOrResource(span, this.tenantKeys, useResource: true));
        call.UseCase = this.Label(collector.Values[(int)Field.UseCase].AsString() ?? this.FromBaggageOrResource(span, this.useCaseKeys, useResource: false));
        call.IsError = span.IsError;
        call.TraceId = span.TraceId;
        call.SpanId = span.SpanId;
        call.ParentSpanId = span.ParentSpanId;
        call.EndTimeUtc = span.EndTimeUtc;
        call.DurationMs = (span.EndTimeUtc - span.StartTimeUtc).TotalMilliseconds;
        return NormalizeResult.Ok;
    }

    /// <summary>
    /// Whether attribute <paramref name="key"/> alone makes a span one the engine reads (tenant, use case
    /// and conversation keys do not: apps put them on every span). Lets a caller that buffers spans
    /// before handing them over (the OTLP service) keep only those, with the engine's own key table.
    /// </summary>
    public bool IsGenAiKey(string key) =>
        this.TryGetSlot(key, out var slot) && slot.Field is not (Field.Tenant or Field.UseCase or Field.Conversation);

    /// <summary>Whether a span name alone names a GenAI operation (<c>chat gpt-4o</c>), as <see cref="Normalize"/> accepts.</summary>
    public static bool NamesOperation(string? spanName) => OperationFromSpanName(spanName) is not null;

    /// <summary>Maps the operation name to how it is priced.</summary>
    public static OperationKind Classify(string operation) =>
        OperationsByIdentity.TryGetValue(operation, out var kind) ? kind : ClassifyByValue(operation);

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
        if (string.IsNullOrWhiteSpace(value))
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
        var lookup = KnownOperations.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(head, out var op) ? op : null;
    }

    private static bool ReadTokens(ref Collector collector, Field field, out long tokens, ref RejectReason reason)
    {
        ref readonly var value = ref collector.Values[(int)field];
        if (!value.IsPresent)
        {
            tokens = 0;
            return true;
        }

        return value.TryGetTokenCount(out tokens, out reason);
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

    internal readonly record struct Slot(Field Field, byte Precedence);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryGetSlot(string key, out Slot slot)
    {
        if (this.byIdentity.TryGetValue(key, out slot))
        {
            return true;
        }

        var bit = key.Length < 64 ? 1UL << key.Length : 1UL << 63;
        return (this.lengthMask & bit) != 0 && this.slots.TryGetValue(key, out slot);
    }

    [InlineArray((int)Field.Count)]
    private struct ValueBuffer
    {
        private AttributeValue element;
    }

    [InlineArray((int)Field.Count)]
    private struct PrecedenceBuffer
    {
        private byte element;
    }

    private struct Collector : IAttributeVisitor
    {
        public ValueBuffer Values;
        public PrecedenceBuffer Precedence;
        public bool AnyGenAi;
        private readonly SpanNormalizer owner;

        public Collector(SpanNormalizer owner)
        {
            this.owner = owner;
            ((Span<byte>)this.Precedence).Fill(byte.MaxValue);
        }

        public void Visit(string key, in AttributeValue value)
        {
            if (value.IsPresent && this.owner.TryGetSlot(key, out var slot))
            {
                this.Store(slot, value);
            }
        }

        public void Store(Slot slot, in AttributeValue value)
        {
            var index = (int)slot.Field;
            if (slot.Precedence < this.Precedence[index])
            {
                this.Precedence[index] = slot.Precedence;
                this.Values[index] = value;
            }

            // Tenant and use case alone do not make a span a GenAI span: apps put them on every span.
            if (slot.Field is not (Field.Tenant or Field.UseCase or Field.Conversation))
            {
                this.AnyGenAi = true;
            }
        }
    }
}
