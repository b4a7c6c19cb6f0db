using System.Globalization;
using System.Text;
using Prometheus;

namespace UnitEconomics.Books.Focus.CloudBill;

/// <summary>
/// The allocation basis of a service that prices spans itself: what this process has counted since it
/// started, read from its own registry (the same figures its /metrics shows), when the tenant file or the
/// bill changes; nothing is added to the span path.
/// </summary>
public static class RegistryAllocationBasis
{
    /// <summary>Each tenant's cost and calls so far, from the registry's ai_tenant_* counters.</summary>
    public static AllocationBasis Basis(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var cost = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            var counter = line.StartsWith("ai_tenant_cost_usd_total{", StringComparison.Ordinal) ? 1
                : line.StartsWith("ai_tenant_requests_total{", StringComparison.Ordinal) ? 2 : 0;
            if (counter == 0 || Tenant(line) is not { } tenant)
            {
                continue;
            }

            var text = line[(line.LastIndexOf(' ') + 1)..];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                continue;
            }

            if (counter == 1)
            {
                cost[tenant] = cost.GetValueOrDefault(tenant) + (decimal)value;
            }
            else
            {
                requests[tenant] = requests.GetValueOrDefault(tenant) + (long)value;
            }
        }

        return new AllocationBasis(cost, requests);
    }

    /// <summary>The <c>tenant</c> label's value of an exposition line, unescaped (\\, \" and \n).</summary>
    private static string? Tenant(string line)
    {
        const string key = "tenant=\"";
        var start = line.IndexOf(key, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var value = new StringBuilder();
        for (var i = start + key.Length; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '"':
                    return value.ToString();
                case '\\' when i + 1 < line.Length:
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                    break;
                default:
                    value.Append(line[i]);
                    break;
            }
        }

        return null;
    }
}
