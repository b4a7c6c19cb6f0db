using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Resources;
using UnitEconomics.Otel.Agents;
using UnitEconomics.Otel.Diagnostics;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Processing;

/// <summary>
/// Prices GenAI spans as they end, in-process. At start it copies tenant and use case from W3C baggage
/// (<see cref="Activity"/> baggage, as ASP.NET Core extracts it, or OpenTelemetry's
/// <see cref="Baggage.Current"/>, as its propagator and <c>Baggage.SetBaggage</c> fill it) onto the
/// span, so they also travel with the span over OTLP. At end it hands a GenAI span to the pricing
/// thread (<see cref="SpanHandoff"/>), which hands it to the engine (<see cref="CostEngine.OnEnded"/>);
/// with <see cref="UnitEconomicsOptions.InlinePricing"/> it hands it to the engine itself. The end of a
/// local root a GenAI call ran under is handed over too: it ends the user request (DESIGN §7a).
/// Never throws into the host app; spans that are not GenAI spans cost one pass over their tags.
/// </summary>
internal sealed class GenAiCostProcessor : BaseProcessor<Activity>
{
    // Set on a local root when a GenAI call below it is handed over: decided on the app's thread, so the
    // root's end is handed over too, whatever the pricing thread has done by then.
    private const string RequestRootMark = "ue.request_root";

    private readonly CostEngine engine;
    private readonly string[] baggageKeys;
    private readonly SpanHandoff? handoff;
    private IReadOnlyDictionary<string, object>? resource;

    public GenAiCostProcessor(CostEngine engine)
    {
        this.engine = engine;
        this.baggageKeys = [.. engine.Options.Spans.EffectiveTenantKeys, .. engine.Options.Spans.EffectiveUseCaseKeys];
        if (!engine.Options.InlinePricing)
        {
            this.handoff = new SpanHandoff(engine.Options.MaxPendingSpans, engine);
            engine.Pending.Add(this.handoff);
        }
    }

    public override void OnStart(Activity data)
    {
        try
        {
            var otelBaggage = Baggage.Current;
            var hasOtelBaggage = otelBaggage.Count > 0;

            // Most spans carry no baggage at all: one walk up the parents says so (Activity returns an
            // empty array then), instead of one walk per key. Any other answer takes the per-key path.
            if (!hasOtelBaggage && data.Baggage is KeyValuePair<string, string?>[] { Length: 0 })
            {
                return;
            }

            foreach (var key in this.baggageKeys)
            {
                // GetBaggageItem walks the parent chain; only set what the span does not have yet.
                var value = data.GetBaggageItem(key);
                if (string.IsNullOrEmpty(value) && hasOtelBaggage)
                {
                    value = otelBaggage.GetBaggage(key);
                }

                if (!string.IsNullOrEmpty(value) && data.GetTagItem(key) is null)
                {
                    data.SetTag(key, value);
                }
            }
        }
        catch (Exception)
        {
            // Enrichment is best effort; the host's span must go on.
        }
    }

    public override void OnEnd(Activity data)
    {
        // The provider's resource is known once the processor is in a provider: read it at the first end.
        var resource = this.resource ?? this.ReadResourceOnce();
        if (this.handoff is null)
        {
            this.engine.OnEnded(data, resource);
            return;
        }

        try
        {
            // The engine reads an ended span's tags and its parents' after OnEnd returned; the span
            // stays as it ended (the SDK's exporters read it later in the same way).
            if (this.engine.Normalizer.MayBeGenAi(data))
            {
                if (data.Parent is { } parent)
                {
                    MarkRequestRoot(parent);
                }

                this.handoff.Add(data);
            }
            else if (data.Parent is null && data.GetCustomProperty(RequestRootMark) is not null)
            {
                // The local root of a user request a GenAI call ran in: its end ends the request (after
                // the calls, which were handed over before it).
                this.handoff.Add(data);
            }
        }
        catch (Exception ex)
        {
            UnitEconomicsEventSource.Log.SpanProcessingFailed(ex.GetType().Name, ex.Message);
        }
    }

    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        this.handoff?.PricePending();
        return true;
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        var stopped = true;
        if (this.handoff is not null)
        {
            stopped = this.handoff.Stop(timeoutMilliseconds);
            this.engine.Pending.Remove(this.handoff);
        }

        this.engine.CloseIdleTasks(DateTime.MaxValue);
        return stopped;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            this.handoff?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Marks the outermost local ancestor (once per request: a walk up the live parents).</summary>
    private static void MarkRequestRoot(Activity parent)
    {
        var root = parent;
        while (root.Parent is { } up)
        {
            root = up;
        }

        if (root.GetCustomProperty(RequestRootMark) is null)
        {
            root.SetCustomProperty(RequestRootMark, RequestRootMark);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private IReadOnlyDictionary<string, object> ReadResourceOnce()
    {
        var resource = this.ReadResource();
        if (this.handoff is not null)
        {
            this.handoff.Resource = resource; // before this span is handed over: the pricing thread reads it after
        }

        this.resource = resource;
        return resource;
    }

    private IReadOnlyDictionary<string, object> ReadResource()
    {
        try
        {
            var attributes = this.ParentProvider?.GetResource().Attributes;
            if (attributes is not null)
            {
                var map = new Dictionary<string, object>(StringComparer.Ordinal);
                foreach (var (key, value) in attributes)
                {
                    map[key] = value;
                }

                return map;
            }
        }
        catch (Exception)
        {
            // No resource: tenants come from span and baggage only.
        }

        return new Dictionary<string, object>();
    }
}
