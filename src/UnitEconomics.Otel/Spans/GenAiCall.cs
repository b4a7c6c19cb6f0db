using System.Diagnostics;

namespace UnitEconomics.Otel.Spans;

/// <summary>
/// Whether a call looked the app's semantic cache up (DESIGN §3): a span that carries <c>ai.cache.hit</c>
/// is a lookup, true a <see cref="Hit"/> and false a <see cref="Miss"/>; a span without it is <see cref="None"/>.
/// The <c>cache</c> label says the same: <c>none</c>, <c>miss</c>, <c>hit</c>. Cache hit rate = hits ÷ lookups.
/// </summary>
public enum CacheLookup : byte
{
    None,
    Miss,
    Hit,
}

/// <summary>What a span's operation means for cost.</summary>
public enum OperationKind : byte
{
    /// <summary>Not a GenAI span, or one the engine does not price (e.g. <c>create_agent</c>).</summary>
    Other,
    /// <summary>A model call priced by tokens: chat, completion, generate_content, embeddings.</summary>
    Inference,
    /// <summary>A call priced per call by the catalog: retrieval (vector search), rerank.</summary>
    PerCall,
    /// <summary>A tool call; priced per call when the catalog has the tool.</summary>
    Tool,
    /// <summary><c>invoke_agent</c> / <c>invoke_workflow</c>: a task root candidate.</summary>
    Agent,
}

/// <summary>
/// A GenAI span read into the fields that cost depends on. A struct passed by reference: reading a span
/// allocates nothing beyond what the span already holds.
/// </summary>
public struct GenAiCall
{
    public string Operation;
    public OperationKind Kind;
    public string Provider;
    public string Model;
    /// <summary>True when any token attribute was present.</summary>
    public bool HasTokens;
    public long InputTokens;
    public long OutputTokens;
    public long CacheReadTokens;
    public long CacheWriteTokens;
    public long ReasoningTokens;
    public bool HasReportedCost;
    public decimal ReportedCost;
    public string? ReportedCurrency;
    public string? ConversationId;
    public string? AgentName;
    public string? ToolName;
    /// <summary><c>gen_ai.data_source.id</c>: which catalog entry prices a retrieval span (DESIGN §3).</summary>
    public string? DataSourceId;
    public string? ResponseId;
    public string Tenant;
    public string UseCase;
    /// <summary>The semantic-cache lookup this call made, if any.</summary>
    public CacheLookup Cache;

    /// <summary>Answered from the app's semantic cache: no model was called.</summary>
    public readonly bool CacheHit => this.Cache == CacheLookup.Hit;
    public bool IsBatch;
    public bool IsTaskRoot;

    /// <summary>
    /// Whether the call starts an agent task (DESIGN §7): an <c>invoke_agent</c>/<c>invoke_workflow</c>
    /// span, or one marked <c>ai.task.root</c>. The one place this rule is written.
    /// </summary>
    public readonly bool StartsTask => this.Kind == OperationKind.Agent || this.IsTaskRoot;
    public bool IsError;
    public ActivityTraceId TraceId;
    public ActivitySpanId SpanId;
    public DateTime StartTimeUtc;
    public DateTime EndTimeUtc;

    /// <summary>Derived when read (by event sinks), not per span.</summary>
    public readonly double DurationMs => (this.EndTimeUtc - this.StartTimeUtc).TotalMilliseconds;

    /// <summary>Tokens after the convention's inclusive counts are split into disjoint parts.</summary>
    public readonly TokenParts Parts => TokenParts.From(this.InputTokens, this.CacheReadTokens, this.CacheWriteTokens, this.OutputTokens, this.ReasoningTokens);

    public readonly long TotalTokens => this.Parts.Total;
}

/// <summary>
/// Disjoint token counts. The conventions count cache read and cache write inside input and reasoning
/// inside output; producers that report them exclusively (input smaller than the cache parts) are taken
/// as given, so no part is ever negative.
/// </summary>
public readonly record struct TokenParts(long UncachedInput, long CacheRead, long CacheWrite, long Output, long Reasoning)
{
    public long Total => this.UncachedInput + this.CacheRead + this.CacheWrite + this.Output + this.Reasoning;

    public long AllInput => this.UncachedInput + this.CacheRead + this.CacheWrite;

    public static TokenParts From(long input, long cacheRead, long cacheWrite, long output, long reasoning)
    {
        var cached = cacheRead + cacheWrite;
        var uncached = input >= cached ? input - cached : input;
        var plainOutput = output >= reasoning ? output - reasoning : output;
        return new TokenParts(uncached, cacheRead, cacheWrite, plainOutput, reasoning);
    }
}
