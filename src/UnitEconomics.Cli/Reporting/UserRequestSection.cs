using UnitEconomics.Otel.Requests;

namespace UnitEconomics.Cli.Reporting;

/// <summary>User requests of one (use case, shape) in the window and what they cost (DESIGN §7a).</summary>
public sealed class RequestTotals
{
    /// <summary>Closed user requests: the <c>_count</c> of <c>ai_user_request_cost_usd</c>.</summary>
    public long Requests { get; set; }

    /// <summary>USD of their priced calls: the <c>_sum</c> of <c>ai_user_request_cost_usd</c>.</summary>
    public decimal Cost { get; set; }
}

/// <summary>A use case's user requests of one shape; <see cref="CostPerRequest"/> = cost ÷ requests.</summary>
public sealed record UserRequestRow(string UseCase, string Shape, long Requests, decimal Cost, decimal CostPerRequest);

/// <summary>A use case's RAG queries (user requests of shape <c>rag</c>); <see cref="CostPerQuery"/> = cost ÷ queries.</summary>
public sealed record RagQueryRow(string UseCase, long Queries, decimal Cost, decimal CostPerQuery);

/// <summary>The report's user-request figures and tables, derived from <see cref="ReportInputs.UserRequests"/>.</summary>
public static class UserRequestSection
{
    // The order the shapes are read in: what a request did, from the most to the least involved.
    private static readonly string[] ShapeOrder = [RequestShape.Agent, RequestShape.Rag, RequestShape.SingleShot, RequestShape.Other];

    /// <summary>One row per (use case, shape) with requests in the window, by use case, then shape.</summary>
    public static IReadOnlyList<UserRequestRow> Rows(ReportInputs inputs) =>
        [.. inputs.UserRequests
            .Where(kv => kv.Value.Requests > 0) // a series that did not grow in the window: no request, nothing to divide
            .OrderBy(kv => kv.Key.UseCase, StringComparer.Ordinal)
            .ThenBy(kv => ShapeRank(kv.Key.Shape))
            .ThenBy(kv => kv.Key.Shape, StringComparer.Ordinal)
            .Select(kv => new UserRequestRow(kv.Key.UseCase, kv.Key.Shape, kv.Value.Requests, kv.Value.Cost, kv.Value.Cost / kv.Value.Requests))];

    /// <summary>The <c>rag</c> rows, the seed's cost per RAG query per use case.</summary>
    public static IReadOnlyList<RagQueryRow> RagQueries(IReadOnlyList<UserRequestRow> rows) =>
        [.. rows.Where(r => r.Shape == RequestShape.Rag).Select(r => new RagQueryRow(r.UseCase, r.Requests, r.Cost, r.CostPerRequest))];

    public static IEnumerable<ReportTable> Tables(UnitEconomicsReport r)
    {
        yield return new ReportTable("user_requests", "Cost per user request",
            "A user request is every priced call under one local root span (DESIGN §7a); shape: agent (an agent task), rag (retrieval or embeddings plus inference), single_shot (one inference call, nothing else), other. cost/request = total cost ÷ requests.",
            [new("use case", "use_case", ColumnKind.Text), new("shape", "shape", ColumnKind.Text), new("requests", "requests", ColumnKind.Count),
             new("total cost", "cost_usd", ColumnKind.Money), new("cost/request", "cost_per_request_usd", ColumnKind.Money)],
            [.. r.UserRequests.Select(u => new object?[] { u.UseCase, u.Shape, u.Requests, u.Cost, u.CostPerRequest })]);
        yield return new ReportTable("rag_queries", "Cost per RAG query",
            "The user requests of shape rag: embedding, vector search, rerank and the LLM call of one query, added up. cost/RAG query = their cost ÷ their count.",
            [new("use case", "use_case", ColumnKind.Text), new("RAG queries", "rag_queries", ColumnKind.Count), new("total cost", "cost_usd", ColumnKind.Money),
             new("cost/RAG query", "cost_per_rag_query_usd", ColumnKind.Money)],
            [.. r.RagQueries.Select(q => new object?[] { q.UseCase, q.Queries, q.Cost, q.CostPerQuery })]);
    }

    private static int ShapeRank(string shape)
    {
        var rank = Array.IndexOf(ShapeOrder, shape);
        return rank < 0 ? ShapeOrder.Length : rank;
    }
}
