using System.Globalization;
using System.Text.Json;

namespace UnitEconomics.Books.ProviderBills.Anthropic;

/// <summary>
/// Anthropic's Admin API cost and usage reports. Authenticated with an admin key in <c>x-api-key</c>
/// plus <c>anthropic-version</c>; buckets are bounded by RFC 3339 timestamps (<c>starting_at</c>,
/// <c>ending_at</c>); cost amounts are decimal strings in cents.
/// </summary>
public static class AnthropicAdminApi
{
    public const string ApiVersion = "2023-06-01";

    public static ProviderApi Api { get; } = new()
    {
        Provider = "anthropic",
        DefaultBaseUrl = new Uri("https://api.anthropic.com/"),
        Costs = new CostReportEndpoint(),
        Usage = new MessagesUsageEndpoint(),
        Authorize = (headers, key) =>
        {
            headers.Add("x-api-key", key);
            headers.Add("anthropic-version", ApiVersion);
        },
    };

    private static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteBucket(Utf8JsonWriter json, DateTime day)
    {
        json.WriteString("starting_at", Rfc3339(day));
        json.WriteString("ending_at", Rfc3339(day.AddDays(1)));
    }

    /// <summary><c>GET /v1/organizations/cost_report</c>, daily buckets grouped by description (which names the model).</summary>
    private sealed class CostReportEndpoint : BillEndpoint<BilledCost>
    {
        public override string Name => "anthropic costs";

        public override string Path => "v1/organizations/cost_report";

        public override IReadOnlyList<KeyValuePair<string, string>> Query(DateTime fromUtc, DateTime toUtc) =>
        [
            new("starting_at", Rfc3339(fromUtc)), new("ending_at", Rfc3339(toUtc)), new("bucket_width", "1d"),
            new("group_by[]", "description"), new("limit", "31"),
        ];

        protected override DateTime BucketStart(JsonElement bucket, string where) => BillJson.Timestamp(bucket, "starting_at", where);

        protected override BilledCost? ReadResult(DateTime day, JsonElement result, string where)
        {
            var text = BillJson.Required(result, "amount", JsonValueKind.String, where).GetString()!;
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cents))
            {
                throw new BillException($"{where}: 'amount' is not a decimal number of cents: '{text}'");
            }

            var currency = BillJson.OptionalString(result, "currency", where) ?? "USD";
            if (!currency.Equals("usd", StringComparison.OrdinalIgnoreCase))
            {
                throw new BillException($"{where}: amount in '{currency}'; only USD bills are reconciled");
            }

            // Token costs name their model; other lines (web search, code execution) name what they are.
            var model = BillJson.OptionalString(result, "model", where);
            var description = BillJson.OptionalString(result, "description", where);
            var costType = BillJson.OptionalString(result, "cost_type", where);
            var grouped = model ?? description ?? costType;
            return new BilledCost(day, grouped, cents / 100m, description ?? costType ?? "(all costs)");
        }

        protected override DateTime DayOf(BilledCost line) => line.Day;

        protected override void WriteBucketBounds(Utf8JsonWriter json, DateTime day) => WriteBucket(json, day);

        protected override void WriteResult(Utf8JsonWriter json, BilledCost line)
        {
            json.WriteString("currency", "USD");
            json.WriteString("amount", (line.Usd * 100m).ToString(CultureInfo.InvariantCulture)); // cents, as a decimal string
            json.WriteNull("workspace_id");
            json.WriteString("description", line.Description);
            json.WriteString("cost_type", "tokens");
            json.WriteString("context_window", "0-200k");
            json.WriteString("model", line.Model);
            json.WriteString("service_tier", "standard");
            json.WriteNull("token_type");
        }
    }

    /// <summary><c>GET /v1/organizations/usage_report/messages</c>, daily buckets grouped by model.</summary>
    private sealed class MessagesUsageEndpoint : BillEndpoint<BilledUsage>
    {
        public override string Name => "anthropic usage";

        public override string Path => "v1/organizations/usage_report/messages";

        public override IReadOnlyList<KeyValuePair<string, string>> Query(DateTime fromUtc, DateTime toUtc) =>
        [
            new("starting_at", Rfc3339(fromUtc)), new("ending_at", Rfc3339(toUtc)), new("bucket_width", "1d"),
            new("group_by[]", "model"), new("limit", "31"),
        ];

        protected override DateTime BucketStart(JsonElement bucket, string where) => BillJson.Timestamp(bucket, "starting_at", where);

        protected override BilledUsage? ReadResult(DateTime day, JsonElement result, string where)
        {
            // The report's counts are already disjoint: uncached input, cache reads, cache writes by TTL, output.
            var uncached = BillJson.RequiredCount(result, "uncached_input_tokens", where);
            var cacheRead = BillJson.OptionalCount(result, "cache_read_input_tokens", where);
            long cacheWrite = 0;
            if (result.TryGetProperty("cache_creation", out var creation) && creation.ValueKind == JsonValueKind.Object)
            {
                cacheWrite = BillJson.OptionalCount(creation, "ephemeral_5m_input_tokens", where + ", cache_creation")
                    + BillJson.OptionalCount(creation, "ephemeral_1h_input_tokens", where + ", cache_creation");
            }

            var output = BillJson.RequiredCount(result, "output_tokens", where);
            var model = BillJson.OptionalString(result, "model", where);
            return new BilledUsage(day, model, new TokenCounts(uncached, cacheRead, cacheWrite, output), 0);
        }

        protected override DateTime DayOf(BilledUsage line) => line.Day;

        protected override void WriteBucketBounds(Utf8JsonWriter json, DateTime day) => WriteBucket(json, day);

        protected override void WriteResult(Utf8JsonWriter json, BilledUsage line)
        {
            json.WriteNumber("uncached_input_tokens", line.Tokens.Input);
            json.WriteStartObject("cache_creation");
            json.WriteNumber("ephemeral_1h_input_tokens", 0);
            json.WriteNumber("ephemeral_5m_input_tokens", line.Tokens.CacheWrite);
            json.WriteEndObject();
            json.WriteNumber("cache_read_input_tokens", line.Tokens.CacheRead);
            json.WriteNumber("output_tokens", line.Tokens.Output);
            json.WriteStartObject("server_tool_use");
            json.WriteNumber("web_search_requests", 0);
            json.WriteEndObject();
            json.WriteNull("api_key_id");
            json.WriteNull("workspace_id");
            json.WriteString("model", line.Model);
            json.WriteString("service_tier", "standard");
            json.WriteString("context_window", "0-200k");
        }
    }
}
