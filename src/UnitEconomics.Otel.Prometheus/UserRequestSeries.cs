using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Prometheus;

namespace UnitEconomics.Otel.Prometheus;

/// <summary>
/// The children of <c>ai_user_request_cost_usd</c>, one per (use case, tier, shape), found once per request.
/// The engine hands the same label instances request after request, so a small direct-mapped cache by the
/// strings' identity comes first; hashing three strings' contents, the dictionary's way, was a third of what
/// recording a lone call's request cost (docs/benchmarks.md section 10). The cache is lock-free: a slot holds
/// an immutable entry, and a race or a collision is only a miss. Equal labels in other string instances miss
/// the cache and still find their one child in the dictionary.
/// </summary>
internal sealed class UserRequestSeries(Histogram histogram)
{
    // Room for every (use case, tier, shape) of a large deployment before two share a slot.
    private const int Slots = 256;

    private readonly ConcurrentDictionary<(string, string, string), Histogram.Child> byValue = new();
    private readonly Recent?[] recent = new Recent?[Slots];

    public Histogram.Child For(string useCase, string tier, string shape)
    {
        var hash = ((RuntimeHelpers.GetHashCode(useCase) * 31) + RuntimeHelpers.GetHashCode(tier)) * 31 + RuntimeHelpers.GetHashCode(shape);
        ref var slot = ref this.recent[(uint)hash % Slots];
        var entry = Volatile.Read(ref slot);
        if (entry is null || !ReferenceEquals(entry.UseCase, useCase) || !ReferenceEquals(entry.Tier, tier) || !ReferenceEquals(entry.Shape, shape))
        {
            var child = this.byValue.GetOrAdd((useCase, tier, shape), static (key, h) => h.WithLabels(key.Item1, key.Item2, key.Item3), histogram);
            entry = new Recent(useCase, tier, shape, child);
            Volatile.Write(ref slot, entry);
        }

        return entry.Child;
    }

    private sealed record Recent(string UseCase, string Tier, string Shape, Histogram.Child Child);
}
