using UnitEconomics.Exporter.Otlp;

namespace UnitEconomics.Exporter.Tests.Otlp;

/// <summary>The pool the receivers decode batches into.</summary>
public sealed class SizeClassPoolTests
{
    [Fact]
    public void The_pool_rents_powers_of_two_and_hands_returned_arrays_out_again()
    {
        var pool = new SizeClassPool<int>(maxRetainedElements: 1000);
        var first = pool.Rent(5);
        Assert.Equal(8, first.Length);
        Assert.Equal(1, pool.Outstanding);

        pool.Return(first, used: 5);
        Assert.Equal(0, pool.Outstanding);
        Assert.Equal(8, pool.RetainedElements);

        Assert.Same(first, pool.Rent(7));
        Assert.Equal(0, pool.RetainedElements);
        Assert.Equal(SizeClassPool<int>.MinLength, pool.Rent(0).Length);
    }

    [Fact]
    public void Returned_arrays_keep_no_references()
    {
        var pool = new SizeClassPool<string?>(maxRetainedElements: 100);
        var array = pool.Rent(4);
        array[0] = "tenant";
        array[1] = "model";
        pool.Return(array, used: 2);

        var again = pool.Rent(4);
        Assert.Same(array, again);
        Assert.All(again, Assert.Null);
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_bound_and_no_very_long_arrays()
    {
        var pool = new SizeClassPool<int>(maxRetainedElements: 16);
        var (a, b, c) = (pool.Rent(8), pool.Rent(8), pool.Rent(8));
        pool.Return(a, 0);
        pool.Return(b, 0);
        pool.Return(c, 0); // past the bound: left to the GC
        Assert.Equal(16, pool.RetainedElements);

        var rented = new[] { pool.Rent(8), pool.Rent(8), pool.Rent(8) };
        Assert.Contains(rented, r => ReferenceEquals(r, a));
        Assert.Contains(rented, r => ReferenceEquals(r, b));
        Assert.DoesNotContain(rented, r => ReferenceEquals(r, c));

        var large = new SizeClassPool<byte>(maxRetainedElements: long.MaxValue);
        large.Return(large.Rent(SizeClassPool<byte>.MaxPooledLength + 1), 0);
        Assert.Equal(0, large.RetainedElements);
    }
}
