using System.Numerics;
using System.Runtime.CompilerServices;

namespace UnitEconomics.Exporter.Otlp;

/// <summary>
/// Arrays of power-of-two lengths, kept for reuse by one worker (not thread-safe). Buffered spans wait
/// about a second for their trace to settle: in arrays allocated per trace they would outlive gen0 and
/// be promoted and copied by the GC; pooled, the same arrays serve trace after trace and stay put.
/// What is kept is bounded by <paramref name="maxRetainedElements"/>; past it, and for arrays longer than
/// <see cref="MaxPooledLength"/>, returned arrays are left to the GC.
/// </summary>
internal sealed class SizeClassPool<T>
{
    public const int MinLength = 4;
    public const int MaxPooledLength = 1 << 16;

    private static readonly int MinShift = BitOperations.Log2(MinLength);

    private readonly Stack<T[]>[] free;
    private readonly long maxRetainedElements;
    private long retainedElements;

    public SizeClassPool(long maxRetainedElements)
    {
        this.maxRetainedElements = maxRetainedElements;
        this.free = new Stack<T[]>[BitOperations.Log2(MaxPooledLength) - MinShift + 1];
        for (var i = 0; i < this.free.Length; i++)
        {
            this.free[i] = new Stack<T[]>();
        }
    }

    /// <summary>Elements in arrays waiting to be rented again.</summary>
    public long RetainedElements => this.retainedElements;

    /// <summary>Arrays rented and not returned.</summary>
    public int Outstanding { get; private set; }

    /// <summary>An array of at least <paramref name="minimumLength"/> elements (a power of two, at least <see cref="MinLength"/>).</summary>
    public T[] Rent(int minimumLength)
    {
        this.Outstanding++;
        var length = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, MinLength)), Array.MaxLength);
        if (length <= MaxPooledLength && this.free[ClassOf(length)].TryPop(out var array))
        {
            this.retainedElements -= array.Length;
            return array;
        }

        return new T[length];
    }

    /// <summary>
    /// Takes an array back; its first <paramref name="used"/> elements are cleared when they can hold
    /// references (so a pooled array keeps nothing alive).
    /// </summary>
    public void Return(T[] array, int used)
    {
        this.Outstanding--;
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(array, 0, Math.Min(used, array.Length));
        }

        var length = array.Length;
        if (length < MinLength || length > MaxPooledLength || !BitOperations.IsPow2(length)
            || this.retainedElements + length > this.maxRetainedElements)
        {
            return;
        }

        this.free[ClassOf(length)].Push(array);
        this.retainedElements += length;
    }

    /// <summary>Copies the first <paramref name="used"/> elements into an array twice as long and returns the old one.</summary>
    public T[] Grow(T[] array, int used)
    {
        var larger = this.Rent(array.Length * 2);
        Array.Copy(array, larger, used);
        this.Return(array, used);
        return larger;
    }

    private static int ClassOf(int powerOfTwoLength) => BitOperations.Log2((uint)powerOfTwoLength) - MinShift;
}
