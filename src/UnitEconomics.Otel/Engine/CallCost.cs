using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Engine;

/// <summary>
/// One priced call as the sinks see it: the normalized call, its cost and its attribution. A ref struct
/// over the engine's own locals, so handing a call to every sink copies nothing; sinks read it during
/// <see cref="ICostSink.OnCall"/> and keep what they need (<see cref="ToRecord"/> copies it all).
/// </summary>
public readonly ref struct CallCost
{
    public readonly ref readonly GenAiCall Call;

    public readonly ref readonly CostBreakdown Cost;

    /// <summary>Provider, model, operation, use case, tier and cache, as the engine resolved them.</summary>
    public readonly CallLabelSet Labels;

    /// <summary>Tenant (as a label) and tier.</summary>
    public readonly TenantLabelSet TenantLabels;

    /// <summary>A completion made outside any agent task: the baseline of the agent multiplier.</summary>
    public readonly bool IsSingleShot;

    public CallCost(ref readonly GenAiCall call, ref readonly CostBreakdown cost, CallLabelSet labels, TenantLabelSet tenantLabels, bool isSingleShot)
    {
        this.Call = ref call;
        this.Cost = ref cost;
        this.Labels = labels;
        this.TenantLabels = tenantLabels;
        this.IsSingleShot = isSingleShot;
    }

    /// <summary>The tenant as a label: the tenant id, or <c>__other__</c> past the tenant cap.</summary>
    public string TenantLabel => this.TenantLabels.Tenant;

    public string Tier => this.TenantLabels.Tier;

    public string CacheLabel => this.Labels.CacheLabel;

    /// <summary>A copy that outlives the call to the sink.</summary>
    public CallCostRecord ToRecord() => new(this.Call, this.Cost, this.TenantLabel, this.Tier, this.IsSingleShot);
}

/// <summary>A <see cref="CallCost"/> copied, for sinks that keep calls (buffers, tests).</summary>
public sealed record CallCostRecord(GenAiCall Call, CostBreakdown Cost, string TenantLabel, string Tier, bool IsSingleShot);
