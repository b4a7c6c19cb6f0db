using UnitEconomics.Books.Revenue;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.TestSupport.Stripe;
using Xunit;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Books.Tests.Revenue.Stripe;

/// <summary>A refused key, rate limits and a malformed page: a clear one-line error or a bounded retry, the key never shown, the last good figures kept.</summary>
public sealed class StripeFailureTests
{
    [Fact]
    public async Task A_missing_key_is_a_clear_error_naming_the_variable()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var (refresher, _) = Refresher(stripe, _ => null);

        Assert.False(await refresher.RefreshAsync());
        Assert.Equal("stripe: the environment variable UE_TEST_STRIPE_KEY is not set; the secret key is read from it (revenue.stripe.api_key_env)", refresher.LastError);
        Assert.Empty(stripe.Requests);
    }

    [Fact]
    public async Task A_refused_key_is_a_401_error_that_never_shows_the_key()
    {
        const string WrongKey = "sk_test_51WrongKeyThatMustNotAppearAnywhere";
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var (refresher, _) = Refresher(stripe, name => name == "UE_TEST_STRIPE_KEY" ? WrongKey : null);
        string? reported = null;
        refresher.RefreshFailed += (_, error) => reported = error;

        Assert.False(await refresher.RefreshAsync());
        Assert.Equal($"stripe: GET http://127.0.0.1:{stripe.Port}/v1/subscriptions: 401 Unauthorized: the secret key in UE_TEST_STRIPE_KEY was refused", refresher.LastError);
        Assert.Equal(refresher.LastError, reported);
        Assert.DoesNotContain("sk_test", reported!, StringComparison.Ordinal);
        Assert.Equal(1, refresher.Failures);
    }

    [Fact]
    public async Task A_429_is_retried_and_then_succeeds()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var rateLimited = StripeLoopback.ErrorBody("invalid_request_error", "Too many requests hit the API too quickly.");
        stripe.FailNext("/v1/subscriptions", 429, rateLimited);
        stripe.FailNext("/v1/subscriptions", 429, rateLimited);
        var (refresher, tenants) = Refresher(stripe);

        Assert.True(await refresher.RefreshAsync(), refresher.LastError);

        // Two 429s and the answer, then page 2.
        Assert.Equal(4, stripe.Requests.Count(r => r.PathAndQuery.StartsWith("/v1/subscriptions", StringComparison.Ordinal)));
        Assert.Equal(64.60m, Revenue(tenants, "acme"));
    }

    [Fact]
    public async Task A_429_that_lasts_past_the_retries_fails_and_keeps_the_last_good_figures()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var (refresher, tenants) = Refresher(stripe);
        Assert.True(await refresher.RefreshAsync(), refresher.LastError);
        var good = refresher.Last;

        var rateLimited = StripeLoopback.ErrorBody("invalid_request_error", "Too many requests hit the API too quickly.");
        for (var i = 0; i < 3; i++)
        {
            stripe.FailNext("/v1/subscriptions", 429, rateLimited);
        }

        var before = stripe.Requests.Count;
        Assert.False(await refresher.RefreshAsync());

        // max_retries: 2 → the first try and two retries, then it gives up: bounded.
        Assert.Equal(3, stripe.Requests.Count - before);
        Assert.Contains("still rate limited (429) after 2 retries", refresher.LastError, StringComparison.Ordinal);
        Assert.Same(good, refresher.Last);
        Assert.Equal(64.60m, Revenue(tenants, "acme"));
        Assert.Equal(1, refresher.Failures);
    }

    [Fact]
    public async Task A_malformed_second_page_fails_the_read_and_keeps_the_last_good_figures()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var (refresher, tenants) = Refresher(stripe);
        Assert.True(await refresher.RefreshAsync(), refresher.LastError);

        // Page 2 cut off half way: nothing of this read may be applied, not even page 1.
        stripe.FailNext("starting_after=sub_globex", 200, """{"object": "list", "data": [{"id": "sub_initech", "object": "subscr""");
        Assert.False(await refresher.RefreshAsync());

        Assert.StartsWith($"stripe: GET http://127.0.0.1:{stripe.Port}/v1/subscriptions: malformed response page", refresher.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refresher.LastError!);
        Assert.Equal(64.60m, Revenue(tenants, "acme"));
        Assert.Equal(365.00m, Revenue(tenants, "globex"));
    }

    [Fact]
    public async Task The_key_appears_in_no_output_of_a_good_read()
    {
        await using var stripe = new StripeLoopback();
        SampleAccount.Serve(stripe);
        var (refresher, tenants) = Refresher(stripe);
        Assert.True(await refresher.RefreshAsync(), refresher.LastError);

        var outputs = new[]
        {
            refresher.Last!.ToString(),
            string.Join("\n", refresher.Last.Tenants.Select(t => t.ToString())),
            string.Join("\n", tenants.Current.Tenants.Select(t => t.ToString())),
            refresher.Last.ToFigures().ToString(),
        };
        Assert.All(outputs, o => Assert.DoesNotContain(StripeLoopback.Key, o, StringComparison.Ordinal));
    }

    internal static (RevenueRefresher Refresher, TenantDirectorySource Tenants) Refresher(StripeLoopback stripe, Func<string, string?>? environment = null, string extra = "")
    {
        var tenants = new TenantDirectorySource(SampleAccount.Directory(stripe.ApiBase, extra));
        return (new RevenueRefresher(tenants, environment ?? SampleAccount.Environment, TimeSpan.FromMilliseconds(20)), tenants);
    }

    internal static decimal? Revenue(TenantDirectorySource tenants, string tenant) =>
        tenants.Current.TryGetTenant(tenant, out var info) ? info.RevenuePerMonth : null;
}
