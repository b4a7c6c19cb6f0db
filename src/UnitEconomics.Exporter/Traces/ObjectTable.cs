using System.Runtime.CompilerServices;

namespace UnitEconomics.Exporter.Traces;

/// <summary>
/// Small integer handles for the strings and resources a worker's buffered spans refer to, so the arrays
/// those spans wait in hold no references. The GC never looks inside an array without references; one
/// with references sitting in gen2 is scanned, card by card, at every gen0 collection while spans are
/// written into it, and with about a second of traces waiting to settle that scan cost more than the
/// collection itself. Handles are counted: each stored use takes one, <see cref="Release"/> gives it
/// back, and the last release forgets the object. Handle 0 is null. Not thread-safe: one worker owns it.
/// </summary>
internal sealed class ObjectTable
{
    private const int CacheSize = 4096;

    private readonly Dictionary<object, int> index = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<int> free = new();

    // Direct-mapped by the object's identity hash: most lookups are one compare, no dictionary.
    private readonly int[] cache = new int[CacheSize];
    private object?[] items = new object?[256];
    private int[] counts = new int[256];
    private int next = 1;

    /// <summary>Objects with at least one handle out.</summary>
    public int Count => this.index.Count;

    /// <summary>A handle for <paramref name="value"/> (0 for null), counted: give it back with <see cref="Release"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Acquire(object? value)
    {
        if (value is null)
        {
            return 0;
        }

        ref var cached = ref this.cache[RuntimeHelpers.GetHashCode(value) & (CacheSize - 1)];
        var handle = cached;
        if (handle == 0 || !ReferenceEquals(this.items[handle], value))
        {
            handle = cached = this.Find(value);
        }

        this.counts[handle]++;
        return handle;
    }

    /// <summary>Gives back one use of <paramref name="handle"/>; the last use forgets the object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Release(int handle)
    {
        if (handle != 0 && --this.counts[handle] == 0)
        {
            this.Forget(handle);
        }
    }

    /// <summary>The object behind a handle the caller holds (null for 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public object? Get(int handle) => this.items[handle];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public string? GetString(int handle) => Unsafe.As<string?>(this.items[handle]);

    private int Find(object value)
    {
        if (this.index.TryGetValue(value, out var handle))
        {
            return handle;
        }

        if (!this.free.TryPop(out handle))
        {
            handle = this.next++;
            if (handle == this.items.Length)
            {
                Array.Resize(ref this.items, this.items.Length * 2);
                Array.Resize(ref this.counts, this.counts.Length * 2);
            }
        }

        this.items[handle] = value;
        this.counts[handle] = 0;
        this.index.Add(value, handle);
        return handle;
    }

    private void Forget(int handle)
    {
        this.index.Remove(this.items[handle]!);
        this.items[handle] = null;
        this.free.Push(handle);
    }
}
