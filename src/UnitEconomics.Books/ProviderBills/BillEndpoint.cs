using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace UnitEconomics.Books.ProviderBills;

/// <summary>One page of an endpoint's answer: its lines, and where the next page is.</summary>
public sealed record BillPage<TLine>(IReadOnlyList<TLine> Lines, bool HasMore, string? NextPage);

/// <summary>
/// One paginated report endpoint of a provider's admin API (costs or usage). The providers share the
/// envelope — <c>data</c> (time buckets, each with its <c>results</c>), <c>has_more</c>, <c>next_page</c> —
/// and differ in how a bucket says when it starts and what a result holds; a subclass says those.
/// </summary>
public abstract class BillEndpoint<TLine>
{
    /// <summary>What the endpoint is called in messages, e.g. "openai costs".</summary>
    public abstract string Name { get; }

    /// <summary>The path under the API's base URL, without a leading slash.</summary>
    public abstract string Path { get; }

    /// <summary>The query of the first request for the whole UTC days in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>).</summary>
    public abstract IReadOnlyList<KeyValuePair<string, string>> Query(DateTime fromUtc, DateTime toUtc);

    /// <summary>Reads one page (the response body as parsed JSON); <paramref name="where"/> names it in errors.</summary>
    public BillPage<TLine> ParsePage(JsonElement page, string where)
    {
        var data = BillJson.Required(page, "data", JsonValueKind.Array, where);
        var hasMore = page.TryGetProperty("has_more", out var more) && more.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? more.GetBoolean()
            : throw new BillException($"{where}: expected 'has_more' to be a boolean");
        var next = BillJson.OptionalString(page, "next_page", where);
        var lines = new List<TLine>();
        var index = 0;
        foreach (var bucket in data.EnumerateArray())
        {
            var at = $"{where}, bucket {index++}";
            var day = this.BucketStart(bucket, at).Date;

            // OpenAI's reference names the array "results" in its examples and "result" in one schema; both are read.
            var results = bucket.ValueKind == JsonValueKind.Object && !bucket.TryGetProperty("results", out _) && bucket.TryGetProperty("result", out _)
                ? BillJson.Required(bucket, "result", JsonValueKind.Array, at)
                : BillJson.Required(bucket, "results", JsonValueKind.Array, at);
            var r = 0;
            foreach (var result in results.EnumerateArray())
            {
                var line = this.ReadResult(day, result, $"{at}, result {r++}");
                if (line is not null)
                {
                    lines.Add(line);
                }
            }
        }

        if (hasMore && string.IsNullOrEmpty(next))
        {
            throw new BillException($"{where}: 'has_more' is true but there is no 'next_page'");
        }

        return new BillPage<TLine>(lines, hasMore, hasMore ? next : null);
    }

    /// <summary>
    /// Writes <paramref name="lines"/> as the API answers them: daily buckets, <paramref name="bucketsPerPage"/>
    /// to a page, each page but the last with <c>has_more</c> and a <c>next_page</c> cursor <c>page_N</c>
    /// (N the next page's index). The demo's bills and the tests' loopback APIs are written this way.
    /// </summary>
    public IReadOnlyList<string> WritePages(IEnumerable<TLine> lines, int bucketsPerPage = 7)
    {
        var days = lines.GroupBy(this.DayOf).OrderBy(g => g.Key).ToList();
        var pages = new List<string>();
        for (var start = 0; start == 0 || start < days.Count; start += bucketsPerPage)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                this.WritePageStart(json);
                json.WriteStartArray("data");
                foreach (var day in days.Skip(start).Take(bucketsPerPage))
                {
                    json.WriteStartObject();
                    this.WriteBucketBounds(json, day.Key);
                    json.WriteStartArray("results");
                    foreach (var line in day)
                    {
                        json.WriteStartObject();
                        this.WriteResult(json, line);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                var more = start + bucketsPerPage < days.Count;
                json.WriteBoolean("has_more", more);
                if (more)
                {
                    json.WriteString("next_page", "page_" + (pages.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    json.WriteNull("next_page");
                }

                json.WriteEndObject();
            }

            pages.Add(Encoding.UTF8.GetString(buffer.ToArray()));
        }

        return pages;
    }

    /// <summary>The UTC day of a line, for <see cref="WritePages"/>.</summary>
    protected abstract DateTime DayOf(TLine line);

    /// <summary>Fields a page starts with before <c>data</c> (OpenAI's <c>"object": "page"</c>).</summary>
    protected virtual void WritePageStart(Utf8JsonWriter json)
    {
    }

    /// <summary>A bucket's bounds (and kind) for the UTC day <paramref name="day"/>.</summary>
    protected abstract void WriteBucketBounds(Utf8JsonWriter json, DateTime day);

    /// <summary>One result's fields, as the API writes them.</summary>
    protected abstract void WriteResult(Utf8JsonWriter json, TLine line);

    /// <summary>When the bucket starts, in UTC.</summary>
    protected abstract DateTime BucketStart(JsonElement bucket, string where);

    /// <summary>One result of a bucket as a line, or null for a result that carries nothing to reconcile.</summary>
    protected abstract TLine? ReadResult(DateTime day, JsonElement result, string where);
}

/// <summary>A provider's admin API: its name, where it is, how it authenticates, and its two report endpoints.</summary>
public sealed class ProviderApi
{
    public required string Provider { get; init; }

    public required Uri DefaultBaseUrl { get; init; }

    public required BillEndpoint<BilledCost> Costs { get; init; }

    public required BillEndpoint<BilledUsage> Usage { get; init; }

    /// <summary>Puts the admin key (and any fixed header the API needs) on a request.</summary>
    public required Action<HttpRequestHeaders, string> Authorize { get; init; }
}
