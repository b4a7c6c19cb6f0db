using System.Net;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.Books.Tests.Support;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Books.Tests.ProviderBills;

/// <summary>The live bill readers against loopback servers that answer as OpenAI's and Anthropic's admin APIs do.</summary>
public sealed class AdminApiClientTests
{
    private const string OpenAiKey = "sk-admin-test-0123456789abcdef";
    private const string AnthropicKey = "sk-ant-admin01-test-fedcba9876543210";

    private static bool OpenAiAuthorized(HttpListenerRequest r) => r.Headers["Authorization"] == "Bearer " + OpenAiKey;

    private static bool AnthropicAuthorized(HttpListenerRequest r) =>
        r.Headers["x-api-key"] == AnthropicKey && r.Headers["anthropic-version"] == "2023-06-01";

    /// <summary>A client against <paramref name="server"/> that records each wait a retry asks for instead of sleeping.</summary>
    private static AdminApiClient RecordingWaits(LoopbackAdminApi server, List<TimeSpan> waits) =>
        new(OpenAiAdminApi.Api, server.Url, OpenAiKey, "$K", delay: (d, _) =>
        {
            waits.Add(d);
            return Task.CompletedTask;
        });

    private static async Task<LoopbackAdminApi> OpenAiServerAsync()
    {
        var server = new LoopbackAdminApi(OpenAiAuthorized);
        server.Serve("v1/organization/costs", BillPages.OpenAiCosts());
        server.Serve("v1/organization/usage/completions", BillPages.OpenAiUsage());
        await Task.CompletedTask;
        return server;
    }

    private static LoopbackAdminApi AnthropicServer()
    {
        var server = new LoopbackAdminApi(AnthropicAuthorized);
        server.Serve("v1/organizations/cost_report", BillPages.AnthropicCosts());
        server.Serve("v1/organizations/usage_report/messages", BillPages.AnthropicUsage());
        return server;
    }

    [Fact]
    public async Task OpenAi_bill_follows_every_page_and_totals_to_the_cent()
    {
        await using var server = await OpenAiServerAsync();
        using var client = new AdminApiClient(OpenAiAdminApi.Api, server.Url, OpenAiKey, "$TEST_KEY");
        var bill = await client.ReadBillAsync(BillPages.Day1, BillPages.Day3);

        Assert.Equal(BillPages.OpenAiTotalUsd, bill.TotalUsd);
        Assert.Equal(4, bill.Costs.Count);
        Assert.Equal(["gpt-4.1-mini-2025-04-14", "gpt-4.1-mini-2025-04-14", "gpt-4.1-nano-2025-04-14", "gpt-4.1-nano-2025-04-14"], bill.Costs.Select(c => c.Model));
        Assert.Equal([BillPages.Day1, BillPages.Day1, BillPages.Day2, BillPages.Day2], bill.Costs.Select(c => c.Day));

        // input_tokens 300,000 include 100,000 cached: 200,000 uncached.
        var mini = Assert.Single(bill.Usage, u => u.Day == BillPages.Day1);
        Assert.Equal(new TokenCounts(200_000, 100_000, 0, 50_000), mini.Tokens);
        Assert.Equal(100, mini.Requests);
        var nano = Assert.Single(bill.Usage, u => u.Day == BillPages.Day2);
        Assert.Equal(new TokenCounts(2_000_000, 0, 0, 500_000), nano.Tokens);

        var requests = server.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        Assert.StartsWith($"/v1/organization/costs?start_time={BillPages.Unix(BillPages.Day1)}&end_time={BillPages.Unix(BillPages.Day3)}&bucket_width=1d&group_by=line_item", requests[0]);
        Assert.EndsWith("&page=page_1", requests[1]);
        Assert.StartsWith("/v1/organization/usage/completions?", requests[2]);
        Assert.Contains("group_by=model", requests[2]);
        Assert.EndsWith("&page=page_1", requests[3]);
    }

    [Fact]
    public async Task Anthropic_bill_converts_cents_and_follows_every_page()
    {
        await using var server = AnthropicServer();
        using var client = new AdminApiClient(AnthropicAdminApi.Api, server.Url, AnthropicKey, "$TEST_KEY");
        var bill = await client.ReadBillAsync(BillPages.Day1, BillPages.Day3);

        Assert.Equal(BillPages.AnthropicTotalUsd, bill.TotalUsd);
        Assert.Equal([1.2345m, 8.7655m, 2.50125m], bill.Costs.Select(c => c.Usd)); // cents ÷ 100
        Assert.Equal(["claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"], bill.Costs.Select(c => c.Model));

        // Cache writes are the 1h and 5m creations together: 1,000 + 500.
        Assert.Equal(new TokenCounts(1_500, 200, 1_500, 500), bill.Usage[0].Tokens);
        Assert.Equal(new TokenCounts(3_000, 0, 0, 700), bill.Usage[1].Tokens);
        Assert.Equal(BillPages.Day3, bill.CoversUntil);

        var requests = server.Requests.ToArray();
        Assert.Equal(4, requests.Length);
        Assert.StartsWith("/v1/organizations/cost_report?starting_at=2026-10-01T00%3A00%3A00Z&ending_at=2026-10-03T00%3A00%3A00Z&bucket_width=1d&group_by%5B%5D=description", requests[0]);
        Assert.EndsWith("&page=page_1", requests[1]);
        Assert.Contains("group_by%5B%5D=model", requests[2]);
        Assert.EndsWith("&page=page_1", requests[3]);
    }

    [Fact]
    public async Task Saved_pages_read_as_one_page_or_an_array_give_the_live_figures()
    {
        var dir = Directory.CreateTempSubdirectory("bills-").FullName;
        try
        {
            var costs = Path.Combine(dir, "costs.json");
            var usage = Path.Combine(dir, "usage.json");
            await File.WriteAllTextAsync(costs, "[" + string.Join(",", BillPages.AnthropicCosts()) + "]");
            await File.WriteAllTextAsync(usage, BillPages.AnthropicUsage()[0]); // one page object
            var bill = SavedBillReader.Read(AnthropicAdminApi.Api, costs, usage);
            Assert.Equal(BillPages.AnthropicTotalUsd, bill.TotalUsd);
            Assert.Equal(new TokenCounts(1_500, 200, 1_500, 500), Assert.Single(bill.Usage).Tokens);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-ant-admin01-wrong-key-000")]
    public async Task A_missing_or_wrong_key_is_refused_in_one_line_that_shows_no_key(string? sentKey)
    {
        await using var server = AnthropicServer();
        using var client = new AdminApiClient(AnthropicAdminApi.Api, server.Url, sentKey ?? string.Empty, "$ANTHROPIC_ADMIN_KEY");
        var error = await Assert.ThrowsAsync<BillException>(() => client.ReadBillAsync(BillPages.Day1, BillPages.Day3));

        Assert.Equal($"anthropic costs page 1 (127.0.0.1:{server.Port}): the admin key in $ANTHROPIC_ADMIN_KEY was refused (401 Unauthorized); it needs to be an organization admin key", error.Message);
        Assert.DoesNotContain("wrong-key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AnthropicKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_variable_that_is_not_set_is_a_clear_error()
    {
        var error = Assert.Throws<BillException>(() => AdminApiClient.FromEnvironment(OpenAiAdminApi.Api, null, "UE_TEST_UNSET_ADMIN_KEY_VARIABLE"));
        Assert.Equal("openai: the environment variable UE_TEST_UNSET_ADMIN_KEY_VARIABLE holding the admin key is not set", error.Message);
    }

    [Fact]
    public async Task A_429_is_retried_after_what_retry_after_asks_then_the_bill_is_whole()
    {
        await using var server = await OpenAiServerAsync();
        server.Throttle(times: 2, seconds: 3);
        var waits = new List<TimeSpan>();
        using var client = RecordingWaits(server, waits);
        var bill = await client.ReadBillAsync(BillPages.Day1, BillPages.Day3);

        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], waits);
        Assert.Equal(BillPages.OpenAiTotalUsd, bill.TotalUsd);
        Assert.Equal(6, server.Requests.Count); // 2 throttled + 4 pages
    }

    [Fact]
    public async Task A_429_is_waited_for_for_real_with_the_default_delay()
    {
        await using var server = await OpenAiServerAsync();
        server.Throttle(times: 1, seconds: 1);
        using var client = new AdminApiClient(OpenAiAdminApi.Api, server.Url, OpenAiKey, "$K");
        var started = DateTime.UtcNow;
        var bill = await client.ReadBillAsync(BillPages.Day1, BillPages.Day3);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "retry-after: 1 was not waited for");
        Assert.Equal(BillPages.OpenAiTotalUsd, bill.TotalUsd);
    }

    [Fact]
    public async Task Throttling_that_does_not_end_stops_after_the_bounded_attempts()
    {
        await using var server = await OpenAiServerAsync();
        server.Throttle(times: 100, seconds: 120);
        var waits = new List<TimeSpan>();
        using var client = RecordingWaits(server, waits);
        var error = await Assert.ThrowsAsync<BillException>(() => client.ReadBillAsync(BillPages.Day1, BillPages.Day3));

        Assert.Equal($"openai costs page 1 (127.0.0.1:{server.Port}): still 429 Too Many Requests after 5 attempts", error.Message);
        Assert.Equal(Enumerable.Repeat(TimeSpan.FromSeconds(60), 4), waits); // retry-after 120 s, capped at 60 s
    }

    [Fact]
    public async Task A_page_loop_is_a_clear_error()
    {
        await using var server = new LoopbackAdminApi(OpenAiAuthorized);
        var pages = BillPages.OpenAiCosts();
        server.Serve("v1/organization/costs", pages[0], pages[0]); // page_1 points at page_1 again
        using var client = new AdminApiClient(OpenAiAdminApi.Api, server.Url, OpenAiKey, "$K");
        var error = await Assert.ThrowsAsync<BillException>(() => client.ReadAllAsync(OpenAiAdminApi.Api.Costs, BillPages.Day1, BillPages.Day3));
        Assert.Equal($"openai costs page 2 (127.0.0.1:{server.Port}): page loop: next_page 'page_1' was already followed", error.Message);
    }

    [Theory]
    [InlineData("""{"object":"page","data":{},"has_more":false,"next_page":null}""", "openai costs page 1 (127.0.0.1:PORT): expected 'data' to be an array, found an object")]
    [InlineData("""{"object":"page","data":[{"object":"bucket","start_time":1790812800,"results":[{"amount":{"value":"0.1","currency":"usd"}}]}],"has_more":false}""",
        "openai costs page 1 (127.0.0.1:PORT), bucket 0, result 0, amount: expected 'value' to be a number, found a string")]
    [InlineData("""{"object":"page","data":[],"has_more":true,"next_page":null}""", "openai costs page 1 (127.0.0.1:PORT): 'has_more' is true but there is no 'next_page'")]
    [InlineData("<html>502 Bad Gateway</html>", "openai costs page 1 (127.0.0.1:PORT): the answer is not JSON ('<' is an invalid start of a value): <html>502 Bad Gateway</html>")]
    public async Task A_malformed_page_is_a_one_line_error_naming_the_page(string body, string expected)
    {
        await using var server = new LoopbackAdminApi(OpenAiAuthorized);
        server.Serve("v1/organization/costs", body);
        using var client = new AdminApiClient(OpenAiAdminApi.Api, server.Url, OpenAiKey, "$K");
        var error = await Assert.ThrowsAsync<BillException>(() => client.ReadAllAsync(OpenAiAdminApi.Api.Costs, BillPages.Day1, BillPages.Day3));
        Assert.Equal(expected.Replace("PORT", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_malformed_saved_amount_names_the_file_and_page()
    {
        var page = BillPages.AnthropicCosts()[1].Replace("\"250.125\"", "\"2,50\"", StringComparison.Ordinal);
        var error = Assert.Throws<BillException>(() => SavedBillReader.Parse(AnthropicAdminApi.Api.Costs, page, "bill.json"));
        Assert.Equal("anthropic costs bill.json page 1, bucket 0, result 0: 'amount' is not a decimal number of cents: '2,50'", error.Message);
    }
}
