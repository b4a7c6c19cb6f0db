using System.Diagnostics;
using UnitEconomics.Otel.Spans;

namespace UnitEconomics.Otel.Tests;

/// <summary>Real <see cref="Activity"/> spans with the given tags, ended at a fixed time.</summary>
internal static class TestSpans
{
    public static readonly DateTime End = new(2026, 11, 2, 12, 0, 0, DateTimeKind.Utc);

    public static Activity Ended(string name, params (string Key, object? Value)[] tags) => Ended(name, End, tags);

    public static Activity Ended(string name, DateTime endUtc, params (string Key, object? Value)[] tags)
    {
        var activity = new Activity(name);
        activity.SetStartTime(endUtc.AddMilliseconds(-250));
        foreach (var (key, value) in tags)
        {
            activity.SetTag(key, value);
        }

        activity.Start();
        activity.SetEndTime(endUtc);
        activity.Stop();
        return activity;
    }

    public static NormalizeResult Normalize(Activity activity, out GenAiCall call, out RejectReason reason, SpanNormalizer? normalizer = null, IReadOnlyDictionary<string, object>? resource = null) =>
        (normalizer ?? new SpanNormalizer()).Normalize(new ActivitySpanView(activity, resource), out call, out reason);
}
