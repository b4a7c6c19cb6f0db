namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Resources decoded lately, by their encoded bytes: senders send the same resource with every request,
/// and spans waiting in trace buffers then point at one long-lived object instead of a new one per
/// request (which the GC would have to find through every buffer that refers to it). Direct-mapped and
/// lock-free like <see cref="OtlpStrings"/>: a slot holds an immutable entry, a race costs a miss.
/// </summary>
internal sealed class ResourceCache
{
    private const int MaxCachedBytes = 2048;

    private readonly Entry?[] slots;

    public ResourceCache(int slots = 64) => this.slots = new Entry?[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, slots))];

    public static ResourceCache Shared { get; } = new();

    public bool TryGet(ReadOnlySpan<byte> encoded, out DecodedResource? resource)
    {
        if (encoded.Length <= MaxCachedBytes
            && Volatile.Read(ref this.slots[this.SlotOf(encoded)]) is { } entry
            && encoded.SequenceEqual(entry.Encoded))
        {
            resource = entry.Resource;
            return true;
        }

        resource = null;
        return false;
    }

    public void Add(ReadOnlySpan<byte> encoded, DecodedResource resource)
    {
        if (encoded.Length <= MaxCachedBytes)
        {
            Volatile.Write(ref this.slots[this.SlotOf(encoded)], new Entry(encoded.ToArray(), resource));
        }
    }

    private int SlotOf(ReadOnlySpan<byte> encoded)
    {
        var hash = default(HashCode);
        hash.AddBytes(encoded);
        return hash.ToHashCode() & (this.slots.Length - 1);
    }

    private sealed record Entry(byte[] Encoded, DecodedResource Resource);
}
