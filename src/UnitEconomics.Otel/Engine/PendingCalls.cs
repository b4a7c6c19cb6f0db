namespace UnitEconomics.Otel.Engine;

/// <summary>
/// The scrape-time drain. In-process, a span that ends is handed to a pricing thread, so for a moment
/// it has ended but is not yet counted. Whoever reads the engine's figures on a schedule of its own (the
/// Prometheus sink at each scrape, the budget middleware before it decides) calls <see cref="PriceNow"/>
/// first: what it then reads includes every call that ended before. The OTLP service has nothing
/// pending here (its calls wait for their trace, by design, and are drained by the ingest).
/// </summary>
public sealed class PendingCalls
{
    private readonly object gate = new();
    private IPendingSpans[] sources = [];

    /// <summary>Prices, on the calling thread, every span that ended before this call and waits for a pricing thread.</summary>
    public void PriceNow()
    {
        foreach (var source in Volatile.Read(ref this.sources))
        {
            source.PricePending();
        }
    }

    internal void Add(IPendingSpans source)
    {
        lock (this.gate)
        {
            this.sources = [.. this.sources, source];
        }
    }

    internal void Remove(IPendingSpans source)
    {
        lock (this.gate)
        {
            this.sources = [.. this.sources.Where(s => s != source)];
        }
    }
}

/// <summary>Spans that ended and wait for a pricing thread.</summary>
internal interface IPendingSpans
{
    /// <summary>Prices them now, on the calling thread, in the order they ended.</summary>
    void PricePending();
}
