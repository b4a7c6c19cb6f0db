using System.Diagnostics;

namespace UnitEconomics.Otel.Spans;

/// <summary>An <see cref="Activity"/> seen through <see cref="ISpanView"/>; reads tags with <see cref="Activity.EnumerateTagObjects"/>.</summary>
public readonly struct ActivitySpanView : ISpanView
{
    private readonly Activity activity;
    private readonly IReadOnlyDictionary<string, object>? resource;

    public ActivitySpanView(Activity activity, IReadOnlyDictionary<string, object>? resource = null)
    {
        this.activity = activity;
        this.resource = resource;
    }

    public Activity Activity => this.activity;

    public string Name => this.activity.DisplayName;

    public ActivityTraceId TraceId => this.activity.TraceId;

    public ActivitySpanId SpanId => this.activity.SpanId;

    public DateTime StartTimeUtc => this.activity.StartTimeUtc;

    public DateTime EndTimeUtc => this.activity.StartTimeUtc + this.activity.Duration;

    public bool IsError => this.activity.Status == ActivityStatusCode.Error;

    public void VisitAttributes<TVisitor>(ref TVisitor visitor)
        where TVisitor : struct, IAttributeVisitor
    {
        foreach (ref readonly var tag in this.activity.EnumerateTagObjects())
        {
            visitor.Visit(tag.Key, AttributeValue.FromObject(tag.Value));
        }
    }

    public string? GetBaggage(string key) => this.activity.GetBaggageItem(key);

    public bool TryGetResourceAttribute(string key, out AttributeValue value)
    {
        if (this.resource is not null && this.resource.TryGetValue(key, out var raw))
        {
            value = AttributeValue.FromObject(raw);
            return true;
        }

        value = default;
        return false;
    }
}
