using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Otel.Prometheus;

/// <summary>The gauges published from the catalog and the tenant directory (not from calls): prices, tenants, tiers.</summary>
public sealed partial class PrometheusCostSink
{
    /// <summary>Sets the tenant and tier gauges from the directory; series of tenants no longer listed are removed.</summary>
    public void PublishTenants(TenantDirectory directory)
    {
        lock (this.publishLock)
        {
            var tenants = new HashSet<(string, string)>();
            foreach (var t in directory.Tenants)
            {
                tenants.Add((t.Id, t.Tier));
                this.tenantInfo.WithLabels(t.Id, t.Tier).Set(1);
                this.tenantRevenue.WithLabels(t.Id, t.Tier).Set((double)t.RevenuePerMonth);
                this.tenantEngagement.WithLabels(t.Id, t.Tier).Set(t.Engagement);
            }

            foreach (var (id, tier) in this.publishedTenants)
            {
                if (!tenants.Contains((id, tier)))
                {
                    this.tenantInfo.RemoveLabelled(id, tier);
                    this.tenantRevenue.RemoveLabelled(id, tier);
                    this.tenantEngagement.RemoveLabelled(id, tier);
                }
            }

            var tiers = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tier in directory.Tiers.Values)
            {
                tiers.Add(tier.Name);
                this.infraCost.WithLabels(tier.Name).Set((double)tier.InfraCostPerMonth);
            }

            foreach (var tier in this.publishedTiers)
            {
                if (!tiers.Contains(tier))
                {
                    this.infraCost.RemoveLabelled(tier);
                }
            }

            this.publishedTenants = tenants;
            this.publishedTiers = tiers;
        }
    }

    /// <summary>
    /// Publishes the prices in force at <paramref name="at"/>: under each entry's id, and under every model
    /// name the cost series carry (a dated name such as gpt-5-2025-08-07 resolves to the gpt-5 entry), so
    /// cost ÷ price joins on (provider, model) in PromQL. Names first seen later are added as they come.
    /// </summary>
    public void PublishPrices(PriceCatalog catalog, DateTimeOffset at)
    {
        lock (this.publishLock)
        {
            this.pricedBy = catalog;
            this.pricedAt = at;
            this.PublishPricesLocked();
        }
    }

    private void PublishPricesLocked()
    {
        if (this.pricedBy is not { } catalog)
        {
            return;
        }

        var tokenPrices = new HashSet<(string, string, string)>();
        var callPrices = new HashSet<(string, string)>();
        void Publish(string provider, string model, ModelPrice entry)
        {
            foreach (var (type, price) in entry.TokenTypePrices())
            {
                tokenPrices.Add((provider, model, type));
                this.modelPrice.WithLabels(provider, model, type).Set((double)price);
            }

            if (entry.Standard.PerCall is { } perCall)
            {
                callPrices.Add((provider, model));
                this.modelPricePerCall.WithLabels(provider, model).Set((double)perCall);
            }
        }

        foreach (var entry in catalog.Entries.Where(e => e.IsInForceAt(this.pricedAt)))
        {
            Publish(entry.Provider ?? SpanNormalizer.Unknown, entry.Id, entry);
        }

        foreach (var (provider, model) in this.billedModels)
        {
            if (catalog.TryResolve(provider == SpanNormalizer.Unknown ? null : provider, model, this.pricedAt, out var entry))
            {
                Publish(provider, model, entry);
            }
        }

        foreach (var (provider, model, type) in this.publishedPrices.Where(p => !tokenPrices.Contains(p)))
        {
            this.modelPrice.RemoveLabelled(provider, model, type);
        }

        foreach (var (provider, model) in this.publishedCallPrices.Where(p => !callPrices.Contains(p)))
        {
            this.modelPricePerCall.RemoveLabelled(provider, model);
        }

        this.publishedPrices = tokenPrices;
        this.publishedCallPrices = callPrices;
    }

    /// <summary>A model name first seen on a cost series: its price gauge follows (once per name, off the hot path).</summary>
    private void NoteBilledModel(string provider, string model)
    {
        lock (this.publishLock)
        {
            if (this.billedModels.Add((provider, model)))
            {
                this.PublishPricesLocked();
            }
        }
    }
}
