using System.Diagnostics;

namespace UnitEconomics.Otel.Requests;

/// <summary>What a user request was (DESIGN §7a): the <c>shape</c> label of <c>ai_user_request_cost_usd</c>.</summary>
public static class RequestShape
{
    /// <summary>It contains an agent task.</summary>
    public const string Agent = "agent";

    /// <summary>A retrieval or embeddings call plus an inference call (a RAG query), and no agent task.</summary>
    public const string Rag = "rag";

    /// <summary>Exactly one inference call and nothing else priced.</summary>
    public const string SingleShot = "single_shot";

    /// <summary>Anything else: several completions, a tool or rerank alone, a semantic-cache hit.</summary>
    public const string Other = "other";
}

/// <summary>
/// One user request, closed: every priced call of one trace under one local root, added up (DESIGN §7a).
/// In-process the request is the outermost local span (<see cref="RootSpanId"/>); in the service it is
/// the trace (<see cref="RootSpanId"/> default). Free semantic-cache lookups are counted in
/// <see cref="Calls"/> but do not decide the shape.
/// </summary>
public readonly record struct UserRequestSummary(
    ActivityTraceId TraceId,
    ActivitySpanId RootSpanId,
    string TenantLabel,
    string Tier,
    string UseCase,
    string Shape,
    decimal CostUsd,
    int Calls,
    int InferenceCalls,
    int RetrievalCalls,
    DateTime StartUtc,
    DateTime EndUtc,
    bool ClosedByTimeout);
