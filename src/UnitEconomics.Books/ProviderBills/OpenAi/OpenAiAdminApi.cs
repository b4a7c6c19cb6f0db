using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace UnitEconomics.Books.ProviderBills.OpenAi;

/// <summary>
/// OpenAI's organization Costs and Usage APIs. Authenticated with an admin key as a bearer token;
/// buckets are bounded by Unix seconds (<c>start_time</c>, <c>end_time</c>).
/// </summary>
public static class OpenAiAdminApi
{
    public static ProviderApi Api { get; } = new()
    {
        Provider = "openai",
        DefaultBaseUrl = new Uri("https://api.openai.com/"),
        Costs = new CostsEndpoint(),
        Usage = new CompletionsUsageEndpoint(),
        Authorize = (headers, key) => headers.Authorization = new AuthenticationHeaderValue("Bearer", key),
    };

    /// <summary>
    /// The model a cost line item is for. Line items read "model, kind" (e.g. "gpt-4o-2024-08-06, input");
    /// the model is the part before the first comma, and a line item without one is taken whole.
    /// </summary>
    public static string ModelOfLineItem(string lineItem)
    {
        var comma = lineItem.IndexOf(',', StringComparison.Ordinal);
        return (comma < 0 ? lineItem : lineItem[..comma]).Trim();
    }

    private static string Unix(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary><c>GET /v1/organization/costs</c>, daily buckets grouped by line item (which names the model).</summary>
    private sealed class CostsEndpoint : BillEndpoint<BilledCost>
    {
        public override string Name => "openai costs";

        public override string Path => "v1/organization/costs";

        public override IReadOnlyList<KeyValuePair<string, string>> Query(DateTime fromUtc, DateTime toUtc) =>
        [
            new("start_time", Unix(fromUtc)), new("end_time", Unix(toUtc)), new("bucket_width", "1d"),
            new("group_by", "line_item"), new("limit", "180"),
        ];

        protected override DateTime BucketStart(JsonElement bucket, string where) => BillJson.UnixSeconds(bucket, "start_time", where);

        protected override BilledCost? ReadResult(DateTime day, JsonElement result, string where)
        {
            var amount = BillJson.Required(result, "amount", JsonValueKind.Object, where);
            var value = BillJson.Required(amount, "value", JsonValueKind.Number, where + ", amount");
            var currency = BillJson.OptionalString(amount, "currency", where + ", amount") ?? "usd";
            if (!currency.Equals("usd", StringComparison.OrdinalIgnoreCase))
            {
                throw new BillException($"{where}: amount in '{currency}'; only USD bills are reconciled");
            }

            var lineItem = BillJson.OptionalString(result, "line_item", where);
            return new BilledCost(day, lineItem is null ? null : ModelOfLineItem(lineItem), value.GetDecimal(), lineItem ?? "(all line items)");
        }
    }

    /// <summary><c>GET /v1/organization/usage/completions</c>, daily buckets grouped by model.</summary>
    private sealed class CompletionsUsageEndpoint : BillEndpoint<BilledUsage>
    {
        public override string Name => "openai usage";

        public override string Path => "v1/organization/usage/completions";

        public override IReadOnlyList<KeyValuePair<string, string>> Query(DateTime fromUtc, DateTime toUtc) =>
        [
            new("start_time", Unix(fromUtc)), new("end_time", Unix(toUtc)), new("bucket_width", "1d"),
            new("group_by", "model"), new("limit", "31"),
        ];

        protected override DateTime BucketStart(JsonElement bucket, string where) => BillJson.UnixSeconds(bucket, "start_time", where);

        protected override BilledUsage? ReadResult(DateTime day, JsonElement result, string where)
        {
            // input_tokens includes the cached ones; output_tokens includes reasoning.
            var input = BillJson.RequiredCount(result, "input_tokens", where);
            var cached = BillJson.OptionalCount(result, "input_cached_tokens", where);
            if (cached > input)
            {
                throw new BillException($"{where}: input_cached_tokens ({cached}) exceeds input_tokens ({input})");
            }

            var output = BillJson.RequiredCount(result, "output_tokens", where);
            var requests = BillJson.OptionalCount(result, "num_model_requests", where);
            var model = BillJson.OptionalString(result, "model", where);
            return new BilledUsage(day, model, new TokenCounts(input - cached, cached, 0, output), requests);
        }
    }
}
