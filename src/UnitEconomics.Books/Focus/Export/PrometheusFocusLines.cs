using System.Globalization;

namespace UnitEconomics.Books.Focus.Export;

/// <summary>An instant PromQL query at a moment: each result as its labels and value (the host's Prometheus client answers it).</summary>
public delegate Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> PromQuery(string promql, DateTime atUtc, CancellationToken cancel);

/// <summary>
/// Reads the lines of a live FOCUS export from Prometheus: per UTC day of the window (the first and last
/// clipped to it) and per provider, model, use case and tier, the exact change of <c>ai_cost_usd_total</c>,
/// <c>ai_requests_total</c> and <c>ai_tokens_total</c>. Each counter is read at every day boundary and
/// rounded to the pico-dollar (the engine's own resolution, which undoes the doubles' summing error); a
/// day's figure is the difference of its two ends, so the days add up to the counters over the window
/// exactly. The metric contract splits tenant from model (DESIGN §5), so a line names its tenant only
/// where <c>ai_tenant_cost_usd_total</c> shows that one tenant made all its tier's spend that day.
/// </summary>
public sealed class PrometheusFocusLines(PromQuery query)
{
    private const string Groups = "provider, model, use_case, tier";

    public async Task<IReadOnlyList<AiCostLine>> LoadAsync(DateTime fromUtc, DateTime toUtc, CancellationToken cancel = default)
    {
        if (fromUtc >= toUtc)
        {
            throw new ArgumentException("the window must end after it starts", nameof(toUtc));
        }

        var boundaries = Boundaries(fromUtc, toUtc);
        var cost = new List<Dictionary<string, decimal>>();
        var requests = new List<Dictionary<string, decimal>>();
        var tokens = new List<Dictionary<string, decimal>>();
        var tenants = new List<Dictionary<string, decimal>>();
        foreach (var at in boundaries)
        {
            cost.Add(await this.ReadAsync($"sum by ({Groups}) (ai_cost_usd_total)", Groups, at, pico: true, cancel));
            requests.Add(await this.ReadAsync($"sum by ({Groups}) (ai_requests_total)", Groups, at, pico: false, cancel));
            tokens.Add(await this.ReadAsync($"sum by ({Groups}, token_type) (ai_tokens_total)", Groups + ", token_type", at, pico: false, cancel));
            tenants.Add(await this.ReadAsync("sum by (tier, tenant) (ai_tenant_cost_usd_total)", "tier, tenant", at, pico: true, cancel));
        }

        var lines = new List<AiCostLine>();
        for (var day = 0; day + 1 < boundaries.Count; day++)
        {
            var soleTenant = SoleTenantByTier(Delta(tenants, day));
            var dayTokens = Delta(tokens, day);
            var dayRequests = Delta(requests, day);
            var dayCost = Delta(cost, day);
            foreach (var key in dayCost.Keys.Union(dayRequests.Keys).Order(StringComparer.Ordinal))
            {
                var l = Split(key);
                decimal Tokens(string type) => dayTokens.GetValueOrDefault(key + "\u001f" + type);
                lines.Add(new AiCostLine(
                    boundaries[day], boundaries[day + 1], soleTenant.GetValueOrDefault(l[3]), l[3], l[0], l[1], l[2], CostSource: null,
                    dayCost.GetValueOrDefault(key), (long)dayRequests.GetValueOrDefault(key),
                    new LineTokens((long)Tokens("input"), (long)Tokens("cache_read"), (long)Tokens("cache_write"), (long)Tokens("output"), (long)Tokens("reasoning"))));
            }
        }

        return lines;
    }

    /// <summary>The window's start, every UTC midnight inside it, and its end.</summary>
    internal static List<DateTime> Boundaries(DateTime fromUtc, DateTime toUtc)
    {
        var list = new List<DateTime> { fromUtc };
        for (var midnight = fromUtc.Date.AddDays(1); midnight < toUtc; midnight = midnight.AddDays(1))
        {
            list.Add(DateTime.SpecifyKind(midnight, DateTimeKind.Utc));
        }

        list.Add(toUtc);
        return list;
    }

    /// <summary>
    /// The change of each series over day <paramref name="day"/>. A series missing at the start was born in
    /// the day (counts from zero); one that went down was reset (a restart), and counts from zero after it.
    /// </summary>
    private static Dictionary<string, decimal> Delta(List<Dictionary<string, decimal>> at, int day)
    {
        var delta = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (key, end) in at[day + 1])
        {
            var start = at[day].GetValueOrDefault(key);
            var change = end >= start ? end - start : end;
            if (change != 0m)
            {
                delta[key] = change;
            }
        }

        return delta;
    }

    private static Dictionary<string, string> SoleTenantByTier(Dictionary<string, decimal> tenantCost) =>
        tenantCost.Where(kv => kv.Value > 0m)
            .Select(kv => Split(kv.Key))
            .GroupBy(l => l[0], StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single()[1], StringComparer.Ordinal);

    private static string[] Split(string key) => key.Split('\u001f');

    private async Task<Dictionary<string, decimal>> ReadAsync(string promql, string by, DateTime at, bool pico, CancellationToken cancel)
    {
        var names = by.Split(',', StringSplitOptions.TrimEntries);
        var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (labels, value) in await query(promql, at, cancel))
        {
            var key = string.Join('\u001f', names.Select(n => labels.GetValueOrDefault(n) ?? string.Empty));

            // The shortest text of the double is what Prometheus itself prints; read as decimal it loses nothing.
            var exact = decimal.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
            values[key] = pico ? Math.Round(exact, 12, MidpointRounding.ToEven) : Math.Round(exact, 0, MidpointRounding.ToEven);
        }

        return values;
    }
}
