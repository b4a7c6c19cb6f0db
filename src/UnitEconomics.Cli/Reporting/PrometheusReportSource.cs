using System.Globalization;
using System.Text.Json;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Cli.Reporting;

/// <summary>A report source that could not give what the report needs; the message says why.</summary>
public sealed class ReportSourceException : Exception
{
    public ReportSourceException()
    {
    }

    public ReportSourceException(string message)
        : base(message)
    {
    }

    public ReportSourceException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Reads the report's inputs from a live Prometheus over its HTTP API. Every figure is the exact change
/// of a counter between the window's two ends (value at <c>to</c> minus value at <c>from</c>), not
/// <c>increase()</c>, whose extrapolation would make the report disagree with the in-process one.
/// </summary>
public sealed class PrometheusReportSource : IDisposable
{
    private readonly HttpClient http;
    private readonly Uri baseUri;

    public PrometheusReportSource(Uri prometheus, HttpMessageHandler? handler = null)
    {
        this.baseUri = prometheus;
        this.http = handler is null ? new HttpClient() : new HttpClient(handler);
        this.http.Timeout = TimeSpan.FromSeconds(30);
    }

    public async Task<ReportInputs> LoadAsync(DateTime fromUtc, DateTime toUtc, TenantDirectory? directory, CancellationToken cancel = default)
    {
        var window = (long)Math.Ceiling((toUtc - fromUtc).TotalSeconds);
        var inputs = new ReportInputs
        {
            FromUtc = fromUtc,
            ToUtc = toUtc,
            Source = $"prometheus {this.baseUri}",
            Directory = directory ?? await this.DirectoryFromGaugesAsync(toUtc, cancel),
        };

        foreach (var (l, v) in await this.DeltaAsync("ai_tenant_cost_usd_total", "tenant, tier", window, toUtc, cancel))
        {
            Tenant(inputs, l).Cost = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_tenant_requests_total", "tenant, tier", window, toUtc, cancel))
        {
            Tenant(inputs, l).Calls = (long)Math.Round(v);
        }

        foreach (var key in inputs.Tenants.Where(t => t.Value.Calls == 0 && t.Value.Cost == 0).Select(t => t.Key).ToList())
        {
            inputs.Tenants.Remove(key); // no traffic in the window
        }

        await this.UsageAsync(inputs.UseCases, "use_case", l => l["use_case"], window, toUtc, cancel);
        await this.UsageAsync(inputs.Models, "provider, model", l => (l["provider"], l["model"]), window, toUtc, cancel);
        await this.UsageAsync(inputs.UseCaseModels, "use_case, provider, model", l => (l["use_case"], l["provider"], l["model"]), window, toUtc, cancel);

        foreach (var (l, v) in await this.DeltaAsync("ai_agent_task_cost_usd_sum", "use_case", window, toUtc, cancel))
        {
            inputs.Agents.GetOrNew(l["use_case"]).TaskCost = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_agent_task_cost_usd_count", "use_case", window, toUtc, cancel))
        {
            inputs.Agents.GetOrNew(l["use_case"]).Tasks = (long)Math.Round(v);
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_agent_task_model_calls_sum", "use_case", window, toUtc, cancel))
        {
            inputs.Agents.GetOrNew(l["use_case"]).TaskModelCalls = (long)Math.Round(v);
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_agent_task_tokens_sum", "use_case", window, toUtc, cancel))
        {
            inputs.Agents.GetOrNew(l["use_case"]).TaskTokens = (long)Math.Round(v);
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_single_shot_cost_usd_sum", "use_case", window, toUtc, cancel))
        {
            inputs.Agents.GetOrNew(l["use_case"]).SingleShotCost = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_single_shot_cost_usd_count", "use_case", window, toUtc, cancel))
        {
            inputs.Agents.GetOrNew(l["use_case"]).SingleShots = (long)Math.Round(v);
        }

        // A request is recorded once, when it closes: _sum and _count of the histogram are its cost and its count.
        foreach (var (l, v) in await this.DeltaAsync("ai_user_request_cost_usd_sum", "use_case, shape", window, toUtc, cancel))
        {
            inputs.UserRequests.GetOrNew((l["use_case"], l["shape"])).Cost = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_user_request_cost_usd_count", "use_case, shape", window, toUtc, cancel))
        {
            inputs.UserRequests.GetOrNew((l["use_case"], l["shape"])).Requests = (long)Math.Round(v);
        }

        const long week = 7 * 24 * 3600;
        foreach (var (l, v) in await this.DeltaAsync("ai_tenant_cost_usd_total", "tier", week, toUtc, cancel))
        {
            inputs.TierCostLast7Days[l["tier"]] = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_tenant_cost_usd_total", "tier", week, toUtc.AddDays(-7), cancel))
        {
            inputs.TierCostPrevious7Days[l["tier"]] = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_unpriced_requests_total", "provider, model", window, toUtc, cancel))
        {
            if (v > 0)
            {
                var key = (l["provider"], l["model"]);
                inputs.Unpriced[key] = (long)Math.Round(v);
                inputs.Models.GetOrNew(key).UnpricedCalls = (long)Math.Round(v);
            }
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_budget_exceeded_total", "scope", window, toUtc, cancel))
        {
            if (v > 0)
            {
                inputs.BudgetsExceeded[l["scope"]] = (long)Math.Round(v);
            }
        }

        return inputs;
    }

    /// <summary>Runs an instant query at <paramref name="at"/>; each result as its labels and value.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql, DateTime at, CancellationToken cancel = default)
    {
        var uri = new Uri(this.baseUri, "api/v1/query?query=" + Uri.EscapeDataString(promql) + "&time=" + (new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture));
        HttpResponseMessage response;
        try
        {
            response = await this.http.GetAsync(uri, cancel);
        }
        catch (HttpRequestException ex)
        {
            throw new ReportSourceException($"cannot reach Prometheus at {this.baseUri}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancel.IsCancellationRequested)
        {
            throw new ReportSourceException($"Prometheus at {this.baseUri} did not answer within {this.http.Timeout.TotalSeconds:0} s", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancel);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new ReportSourceException($"{this.baseUri} answered {(int)response.StatusCode} with something that is not the Prometheus API: {Truncate(body)}", ex);
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
                {
                    var error = root.TryGetProperty("error", out var e) ? e.GetString() : body;
                    throw new ReportSourceException($"Prometheus refused the query '{promql}': {error}");
                }

                var results = new List<(Dictionary<string, string>, double)>();
                foreach (var item in root.GetProperty("data").GetProperty("result").EnumerateArray())
                {
                    var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var label in item.GetProperty("metric").EnumerateObject())
                    {
                        labels[label.Name] = label.Value.GetString() ?? string.Empty;
                    }

                    var value = double.Parse(item.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                    results.Add((labels, value));
                }

                return results;
            }
        }
    }

    public void Dispose() => this.http.Dispose();

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>
    /// Calls of one <c>ai_requests_total</c> series: <c>cache</c> hit or miss are semantic-cache lookups. The
    /// app's own lookup spans (no operation, no model) are shown as the semantic cache, as the in-process rollup does.
    /// </summary>
    private static void AddCalls(UsageTotals u, Dictionary<string, string> labels, double value)
    {
        var n = (long)Math.Round(value);
        var cache = labels.GetValueOrDefault("cache");
        u.Calls += n;
        u.CacheLookups += cache is "hit" or "miss" ? n : 0;
        u.CacheHits += cache == "hit" ? n : 0;
    }

    /// <summary>A lookup span's series (cache hit or miss, no provider, no model) under the semantic cache's key.</summary>
    private static Dictionary<string, string> AsCacheLookup(Dictionary<string, string> labels)
    {
        if (labels.GetValueOrDefault("cache") is not ("hit" or "miss") || labels.GetValueOrDefault("provider") != "unknown" || labels.GetValueOrDefault("model") != "unknown")
        {
            return labels;
        }

        return new Dictionary<string, string>(labels, StringComparer.Ordinal)
        {
            ["provider"] = CostRollup.CacheLookupKey.Provider,
            ["model"] = CostRollup.CacheLookupKey.Model,
        };
    }

    private static TenantTotals Tenant(ReportInputs inputs, Dictionary<string, string> labels)
    {
        var t = inputs.Tenants.GetOrNew(labels["tenant"]);
        t.Tier = labels.GetValueOrDefault("tier") ?? TenantDirectory.UnknownTier;
        return t;
    }

    /// <summary>The exact change of <paramref name="metric"/> summed by <paramref name="by"/> over <paramref name="seconds"/> before <paramref name="at"/>; series born inside the window count from zero.</summary>
    public Task<List<(Dictionary<string, string> Labels, double Value)>> DeltaAsync(string metric, string by, long seconds, DateTime at, CancellationToken cancel) =>
        this.QueryAsync($"sum by ({by}) ({metric}) - (sum by ({by}) ({metric} offset {seconds}s) or sum by ({by}) ({metric}) * 0)", at, cancel);

    private async Task UsageAsync<TKey>(Dictionary<TKey, UsageTotals> into, string by, Func<Dictionary<string, string>, TKey> key, long window, DateTime at, CancellationToken cancel)
        where TKey : notnull
    {
        foreach (var (l, v) in await this.DeltaAsync("ai_cost_usd_total", by, window, at, cancel))
        {
            into.GetOrNew(key(l)).Cost = (decimal)v;
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_requests_total", by + ", cache", window, at, cancel))
        {
            AddCalls(into.GetOrNew(key(AsCacheLookup(l))), l, v);
        }

        foreach (var (l, v) in await this.DeltaAsync("ai_tokens_total", by + ", token_type", window, at, cancel))
        {
            var u = into.GetOrNew(key(l));
            var n = (long)Math.Round(v);
            switch (l.GetValueOrDefault("token_type"))
            {
                case "input": u.InputTokens = n; break;
                case "cache_read": u.CacheReadTokens = n; break;
                case "cache_write": u.CacheWriteTokens = n; break;
                case "output": u.OutputTokens = n; break;
                case "reasoning": u.ReasoningTokens = n; break;
            }
        }

        foreach (var k in into.Where(kv => kv.Value.Calls == 0 && kv.Value.Cost == 0).Select(kv => kv.Key).ToList())
        {
            into.Remove(k);
        }
    }

    private async Task<TenantDirectory> DirectoryFromGaugesAsync(DateTime at, CancellationToken cancel)
    {
        var info = await this.QueryAsync("max by (tenant, tier) (ai_tenant_info)", at, cancel);
        if (info.Count == 0)
        {
            throw new ReportSourceException($"Prometheus at {this.baseUri} has no ai_tenant_info series: is it scraping the service or the demo? (or pass --tenants FILE)");
        }

        var revenue = (await this.QueryAsync("max by (tenant, tier) (ai_tenant_revenue_usd_per_month)", at, cancel)).ToDictionary(r => r.Labels["tenant"], r => (decimal)r.Value, StringComparer.Ordinal);
        var engagement = (await this.QueryAsync("max by (tenant, tier) (ai_tenant_engagement)", at, cancel)).ToDictionary(r => r.Labels["tenant"], r => r.Value, StringComparer.Ordinal);
        var infra = (await this.QueryAsync("max by (tier) (ai_infra_cost_usd_per_month)", at, cancel)).ToDictionary(r => r.Labels["tier"], r => (decimal)r.Value, StringComparer.Ordinal);
        var tenants = info.Select(r => new TenantInfo(r.Labels["tenant"], r.Labels["tier"], revenue.GetValueOrDefault(r.Labels["tenant"]), engagement.GetValueOrDefault(r.Labels["tenant"]))).ToList();
        var tiers = tenants.GroupBy(t => t.Tier, StringComparer.Ordinal).Select(g =>
        {
            var perCustomer = g.Average(t => t.RevenuePerMonth);
            return new TierInfo(g.Key, perCustomer, perCustomer == 0, infra.GetValueOrDefault(g.Key));
        });
        return new TenantDirectory(tiers, tenants);
    }
}
