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

    public static BufferedCall From(in GenAiCall call, TraceBuffer trace)
    {
        var b = default(BufferedCall);
        (b.kind, b.cache, b.hasTokens, b.hasReportedCost, b.isBatch, b.isTaskRoot, b.isError) = (call.Kind, call.Cache, call.HasTokens, call.HasReportedCost, call.IsBatch, call.IsTaskRoot, call.IsError);
        (b.inputTokens, b.outputTokens, b.cacheReadTokens, b.cacheWriteTokens, b.reasoningTokens) = (call.InputTokens, call.OutputTokens, call.CacheReadTokens, call.CacheWriteTokens, call.ReasoningTokens);
        (b.reportedCost, b.startTimeUtc, b.endTimeUtc) = (call.ReportedCost, call.StartTimeUtc, call.EndTimeUtc);
        (b.operation, b.provider, b.model, b.tenant, b.useCase) = (trace.Keep(call.Operation), trace.Keep(call.Provider), trace.Keep(call.Model), trace.Keep(call.Tenant), trace.Keep(call.UseCase));
        (b.reportedCurrency, b.agentName, b.toolName, b.dataSourceId) = (trace.Keep(call.ReportedCurrency), trace.Keep(call.AgentName), trace.Keep(call.ToolName), trace.Keep(call.DataSourceId));
        (b.responseId, b.conversationId) = (trace.Keep(call.ResponseId, unique: true), trace.Keep(call.ConversationId, unique: true));
        return b;
    }

    /// <summary>The call as the engine takes it, with the ids the replay gives it.</summary>
    public readonly GenAiCall ToCall(TraceBuffer trace, ActivityTraceId traceId, ActivitySpanId spanId)
    {
        var c = default(GenAiCall);
        (c.Kind, c.Cache, c.HasTokens, c.HasReportedCost, c.IsBatch, c.IsTaskRoot, c.IsError) = (this.kind, this.cache, this.hasTokens, this.hasReportedCost, this.isBatch, this.isTaskRoot, this.isError);
        (c.InputTokens, c.OutputTokens, c.CacheReadTokens, c.CacheWriteTokens, c.ReasoningTokens) = (this.inputTokens, this.outputTokens, this.cacheReadTokens, this.cacheWriteTokens, this.reasoningTokens);
        (c.ReportedCost, c.StartTimeUtc, c.EndTimeUtc, c.TraceId, c.SpanId) = (this.reportedCost, this.startTimeUtc, this.endTimeUtc, traceId, spanId);
        (c.Operation, c.Provider, c.Model, c.Tenant, c.UseCase) = (trace.Get(this.operation)!, trace.Get(this.provider)!, trace.Get(this.model)!, trace.Get(this.tenant)!, trace.Get(this.useCase)!);
        (c.ReportedCurrency, c.AgentName, c.ToolName, c.DataSourceId) = (trace.Get(this.reportedCurrency), trace.Get(this.agentName), trace.Get(this.toolName), trace.Get(this.dataSourceId));
        (c.ResponseId, c.ConversationId) = (trace.Get(this.responseId), trace.Get(this.conversationId));
        return c;
    }
}

/// <summary>
/// One worker's label-like strings (operations, providers, models, tenants, use cases, agents, tools) as
/// small positive integers, for calls that wait in its traces. Bounded: past the bound a string is kept
/// in the trace's characters instead. Not thread-safe: one worker owns it.
/// </summary>
internal sealed class LabelTable
{
    // Room for every tenant, model and agent of a large deployment; a producer that sends a new value per
    // span (a tenant id that is really a request id, say) stops growing the table here, at a few MB.
    private const int MaxLabels = 1 << 17;

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
