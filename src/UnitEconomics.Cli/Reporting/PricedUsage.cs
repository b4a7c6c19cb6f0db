namespace UnitEconomics.Cli.Reporting;

/// <summary>
/// What a <see cref="ModelUsage"/> costs, in USD, by token type as the engine prices them (each part at its
/// own price, with the catalog's fallbacks: cached input and cache write at the input price, reasoning at
/// the output price, where the entry sets none) plus the per-call prices.
/// </summary>
internal sealed record PricedUsage(decimal UncachedInput, decimal CacheRead, decimal CacheWrite, decimal Output, decimal Reasoning, decimal PerCall, decimal Total)
{
    public static PricedUsage Zero { get; } = new(0m, 0m, 0m, 0m, 0m, 0m, 0m);

    /// <summary>This and <paramref name="other"/> added part by part.</summary>
    public PricedUsage Plus(PricedUsage other) => new(
        this.UncachedInput + other.UncachedInput,
        this.CacheRead + other.CacheRead,
        this.CacheWrite + other.CacheWrite,
        this.Output + other.Output,
        this.Reasoning + other.Reasoning,
        this.PerCall + other.PerCall,
        this.Total + other.Total);

    /// <summary>This cost <paramref name="times"/> over (the same call made that many times).</summary>
    public PricedUsage Times(long times) => new(
        this.UncachedInput * times,
        this.CacheRead * times,
        this.CacheWrite * times,
        this.Output * times,
        this.Reasoning * times,
        this.PerCall * times,
        this.Total * times);
}
