using System.Diagnostics;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// A call as a trace keeps it while it waits to settle: its figures as they are, its strings as integers
/// (label-like ones as handles in the worker's <see cref="LabelTable"/>, per-span ones as ranges of the
/// trace's own characters, see <see cref="TraceBuffer.Keep"/>), and no ids (made at replay from the
/// trace's links). It holds no reference: the arrays buffered calls live in are never scanned or
/// card-marked by the GC, however many traces wait.
/// </summary>
internal struct BufferedCall
{
    private OperationKind kind;
    private CacheLookup cache;
    private bool hasTokens, hasReportedCost, isBatch, isTaskRoot, isError;
    private long inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens;
    private decimal reportedCost;
    private DateTime startTimeUtc, endTimeUtc;
    private int operation, provider, model, tenant, useCase, reportedCurrency, agentName, toolName, dataSourceId, responseId, conversationId;

    public readonly long EndTicks => this.endTimeUtc.Ticks;

    public static BufferedCall From(in GenAiCall call, TraceBuffer trace) => new()
    {
        kind = call.Kind,
        cache = call.Cache,
        hasTokens = call.HasTokens,
        hasReportedCost = call.HasReportedCost,
        isBatch = call.IsBatch,
        isTaskRoot = call.IsTaskRoot,
        isError = call.IsError,
        inputTokens = call.InputTokens,
        outputTokens = call.OutputTokens,
        cacheReadTokens = call.CacheReadTokens,
        cacheWriteTokens = call.CacheWriteTokens,
        reasoningTokens = call.ReasoningTokens,
        reportedCost = call.ReportedCost,
        startTimeUtc = call.StartTimeUtc,
        endTimeUtc = call.EndTimeUtc,
        operation = trace.Keep(call.Operation),
        provider = trace.Keep(call.Provider),
        model = trace.Keep(call.Model),
        tenant = trace.Keep(call.Tenant),
        useCase = trace.Keep(call.UseCase),
        reportedCurrency = trace.Keep(call.ReportedCurrency),
        agentName = trace.Keep(call.AgentName),
        toolName = trace.Keep(call.ToolName),
        dataSourceId = trace.Keep(call.DataSourceId),
        responseId = trace.Keep(call.ResponseId, unique: true),
        conversationId = trace.Keep(call.ConversationId, unique: true),
    };

    /// <summary>The call as the engine takes it, with the ids the replay gives it.</summary>
    public readonly GenAiCall ToCall(TraceBuffer trace, ActivityTraceId traceId, ActivitySpanId spanId) => new()
    {
        Kind = this.kind,
        Cache = this.cache,
        HasTokens = this.hasTokens,
        HasReportedCost = this.hasReportedCost,
        IsBatch = this.isBatch,
        IsTaskRoot = this.isTaskRoot,
        IsError = this.isError,
        InputTokens = this.inputTokens,
        OutputTokens = this.outputTokens,
        CacheReadTokens = this.cacheReadTokens,
        CacheWriteTokens = this.cacheWriteTokens,
        ReasoningTokens = this.reasoningTokens,
        ReportedCost = this.reportedCost,
        StartTimeUtc = this.startTimeUtc,
        EndTimeUtc = this.endTimeUtc,
        Operation = trace.Get(this.operation)!,
        Provider = trace.Get(this.provider)!,
        Model = trace.Get(this.model)!,
        Tenant = trace.Get(this.tenant)!,
        UseCase = trace.Get(this.useCase)!,
        ReportedCurrency = trace.Get(this.reportedCurrency),
        AgentName = trace.Get(this.agentName),
        ToolName = trace.Get(this.toolName),
        DataSourceId = trace.Get(this.dataSourceId),
        ResponseId = trace.Get(this.responseId),
        ConversationId = trace.Get(this.conversationId),
        TraceId = traceId,
        SpanId = spanId,
    };
}

/// <summary>
/// One worker's label-like strings (operations, providers, models, tenants, use cases, agents, tools) as
/// small positive integers, for calls that wait in its traces. Bounded: past the bound a string is kept
/// in the trace's characters instead. Not thread-safe: one worker owns it.
/// </summary>
internal sealed class LabelTable
{
    private const int MaxLabels = 1 << 20;

    private readonly Dictionary<string, int> handles = new(StringComparer.Ordinal);
    private readonly List<string> labels = [string.Empty]; // handle 0: none

    public int Count => this.labels.Count - 1;

    /// <summary>The handle of <paramref name="value"/> (added on first sight); 0 when the table is full.</summary>
    public int HandleOf(string value)
    {
        if (this.handles.TryGetValue(value, out var handle))
        {
            return handle;
        }

        if (this.labels.Count > MaxLabels)
        {
            return 0;
        }

        handle = this.labels.Count;
        this.labels.Add(value);
        this.handles.Add(value, handle);
        return handle;
    }

    public string this[int handle] => this.labels[handle];
}
