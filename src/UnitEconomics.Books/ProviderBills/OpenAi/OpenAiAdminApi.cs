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

    private static void WritePageObject(Utf8JsonWriter json) => json.WriteString("object", "page");

    private static void WriteBucket(Utf8JsonWriter json, DateTime day)
    {
        json.WriteString("object", "bucket");
        json.WriteNumber("start_time", new DateTimeOffset(day, TimeSpan.Zero).ToUnixTimeSeconds());
        json.WriteNumber("end_time", new DateTimeOffset(day.AddDays(1), TimeSpan.Zero).ToUnixTimeSeconds());
    }

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

        protected override DateTime DayOf(BilledCost line) => line.Day;

        protected override void WritePageStart(Utf8JsonWriter json) => WritePageObject(json);

        protected override void WriteBucketBounds(Utf8JsonWriter json, DateTime day) => WriteBucket(json, day);

        protected override void WriteResult(Utf8JsonWriter json, BilledCost line)
        {
            json.WriteString("object", "organization.costs.result");
            json.WriteStartObject("amount");
            json.WriteNumber("value", line.Usd);
            json.WriteString("currency", "usd");
            json.WriteEndObject();
            json.WriteString("line_item", line.Description);
            json.WriteNull("project_id");
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

        protected override DateTime DayOf(BilledUsage line) => line.Day;

        protected override void WritePageStart(Utf8JsonWriter json) => WritePageObject(json);

        protected override void WriteBucketBounds(Utf8JsonWriter json, DateTime day) => WriteBucket(json, day);

        protected override void WriteResult(Utf8JsonWriter json, BilledUsage line)
        {
            // OpenAI counts cached (and cache-write) tokens inside input_tokens.
            json.WriteString("object", "organization.usage.completions.result");
            json.WriteNumber("input_tokens", line.Tokens.Input + line.Tokens.CacheRead + line.Tokens.CacheWrite);
            json.WriteNumber("output_tokens", line.Tokens.Output);
            json.WriteNumber("input_cached_tokens", line.Tokens.CacheRead);
            json.WriteNumber("input_audio_tokens", 0);
            json.WriteNumber("output_audio_tokens", 0);
            json.WriteNumber("num_model_requests", line.Requests);
            json.WriteNull("project_id");
            json.WriteNull("user_id");
            json.WriteNull("api_key_id");
            json.WriteString("model", line.Model);
            json.WriteNull("batch");
        }
    }
}
