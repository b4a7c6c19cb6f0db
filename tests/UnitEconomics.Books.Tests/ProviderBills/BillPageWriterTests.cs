using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.ProviderBills.Anthropic;
using UnitEconomics.Books.ProviderBills.OpenAi;
using UnitEconomics.Books.Tests.Support;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Books.Tests.ProviderBills;

/// <summary>Bills written as the APIs answer (the demo's bills) read back live, page by page, to the same lines.</summary>
public sealed class BillPageWriterTests
{
    private static readonly DateTime Day1 = BillPages.Day1;

    private static List<BilledCost> Costs(string model) =>
        [.. Enumerable.Range(0, 10).Select(d => new BilledCost(Day1.AddDays(d), model, 1.005m + d, $"{model}, input"))];

    private static List<BilledUsage> Usage(string model) =>
        [.. Enumerable.Range(0, 10).Select(d => new BilledUsage(Day1.AddDays(d), model, new TokenCounts(1_000 + d, 200, model.StartsWith("claude", StringComparison.Ordinal) ? 300 : 0, 50), 7))];

    [Theory]
    [InlineData("openai", "gpt-4.1-mini")]
    [InlineData("anthropic", "claude-haiku-4-5")]
    public async Task Written_pages_read_back_live_to_the_same_bill(string provider, string model)
    {
        var api = provider == "openai" ? OpenAiAdminApi.Api : AnthropicAdminApi.Api;
        var costPages = api.Costs.WritePages(Costs(model), bucketsPerPage: 4);
        var usagePages = api.Usage.WritePages(Usage(model), bucketsPerPage: 4);
        Assert.Equal(3, costPages.Count); // 10 days at 4 a page

        await using var server = new LoopbackAdminApi(_ => true);
        server.Serve(api.Costs.Path, [.. costPages]);
        server.Serve(api.Usage.Path, [.. usagePages]);
        using var client = new AdminApiClient(api, server.Url, "k", "$K");
        var bill = await client.ReadBillAsync(Day1, Day1.AddDays(10));

        Assert.Equal(Costs(model).Select(c => (c.Day, c.Model, c.Usd)), bill.Costs.Select(c => (c.Day, c.Model, c.Usd)));
        Assert.Equal(Usage(model).Select(u => (u.Day, u.Model, u.Tokens)), bill.Usage.Select(u => (u.Day, u.Model, u.Tokens)));
        Assert.Equal(10 * 1.005m + 45, bill.TotalUsd); // Σ (1.005 + d) for d = 0..9
        Assert.Equal(6, server.Requests.Count);
    }
}
