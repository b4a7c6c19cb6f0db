namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// Prices of one kind of billing (standard, a context tier, batch). Token prices are USD per million
/// tokens; <see cref="PerCall"/> is USD per call. A null price means "not set here": a tier or batch
/// set falls back to the entry's standard price, cached input and cache write to input, reasoning to output.
/// </summary>
public sealed record PriceSet
{
    public decimal? Input { get; init; }

    public decimal? CachedInput { get; init; }

    public decimal? CacheWrite { get; init; }

    public decimal? Output { get; init; }

    public decimal? Reasoning { get; init; }

    public decimal? PerCall { get; init; }

    public static PriceSet Empty { get; } = new();

    /// <summary>The token prices as integers, derived once per set (see <see cref="FixedPointPrices"/>).</summary>
    internal FixedPointPrices FixedPoint => this.fixedPoint ??= FixedPointPrices.From(this);

    // Derived state is not part of a price set's identity, and a `with` copy must derive its own.
    private FixedPointPrices? fixedPoint;

    private PriceSet(PriceSet original)
    {
        this.Input = original.Input;
        this.CachedInput = original.CachedInput;
        this.CacheWrite = original.CacheWrite;
        this.Output = original.Output;
        this.Reasoning = original.Reasoning;
        this.PerCall = original.PerCall;
    }

    public PriceSet()
    {
    }

    public bool Equals(PriceSet? other) => other is not null && this.Input == other.Input && this.CachedInput == other.CachedInput
        && this.CacheWrite == other.CacheWrite && this.Output == other.Output && this.Reasoning == other.Reasoning && this.PerCall == other.PerCall;

    public override int GetHashCode() => HashCode.Combine(this.Input, this.CachedInput, this.CacheWrite, this.Output, this.Reasoning, this.PerCall);

    /// <summary>This set with every unset price taken from <paramref name="fallback"/>.</summary>
    public PriceSet Over(PriceSet fallback) => new()
    {
        Input = this.Input ?? fallback.Input,
        CachedInput = this.CachedInput ?? fallback.CachedInput,
        CacheWrite = this.CacheWrite ?? fallback.CacheWrite,
        Output = this.Output ?? fallback.Output,
        Reasoning = this.Reasoning ?? fallback.Reasoning,
        PerCall = this.PerCall ?? fallback.PerCall,
    };

    public bool HasAnyPrice => this.Input.HasValue || this.CachedInput.HasValue || this.CacheWrite.HasValue
        || this.Output.HasValue || this.Reasoning.HasValue || this.PerCall.HasValue;
}

/// <summary>Above <see cref="AboveInputTokens"/> input tokens the whole request is billed at <see cref="Prices"/>.</summary>
public sealed record PriceTier(long AboveInputTokens, PriceSet Prices);

/// <summary>One priced entry of a catalog: a model (or tool, or vector store) and its prices over a period.</summary>
public sealed record ModelPrice
{
    /// <summary>The entry's id in its catalog (the model name for most entries).</summary>
    public required string Id { get; init; }

    public string? Provider { get; init; }

    public required PriceSet Standard { get; init; }

    /// <summary>Ascending by threshold.</summary>
    public IReadOnlyList<PriceTier> Tiers { get; init; } = [];

    public PriceSet? Batch { get; init; }

    /// <summary>Inclusive; null means since always.</summary>
    public DateTimeOffset? EffectiveFrom { get; init; }

    /// <summary>Exclusive; null means still in force.</summary>
    public DateTimeOffset? EffectiveTo { get; init; }

    /// <summary>Where the prices were taken from (a URL or a note), for the report and the audit trail.</summary>
    public string? Source { get; init; }

    /// <summary>The file this entry came from (after layering, the last one that defined it).</summary>
    public string? CatalogFile { get; init; }

    /// <summary>
    /// After layering, the prices kept from an earlier file than <see cref="CatalogFile"/> (field name as in
    /// the catalog format: input, cached_input, cache_write, output, reasoning, per_call, batch, tiers), with that file.
    /// </summary>
    public IReadOnlyList<(string Field, string File)> FieldFiles { get; init; } = [];

    /// <summary>
    /// The standard price of each <c>token_type</c> label (input, cache_read, cache_write, output,
    /// reasoning), with the fallbacks pricing applies; types with no price are left out.
    /// </summary>
    public IEnumerable<(string TokenType, decimal PerMillion)> TokenTypePrices()
    {
        var s = this.Standard;
        var input = s.Input;
        var output = s.Output;
        if (input is { } i)
        {
            yield return ("input", i);
        }

        if ((s.CachedInput ?? input) is { } read)
        {
            yield return ("cache_read", read);
        }

        if ((s.CacheWrite ?? input) is { } write)
        {
            yield return ("cache_write", write);
        }

        if (output is { } o)
        {
            yield return ("output", o);
        }

        if ((s.Reasoning ?? output) is { } reasoning)
        {
            yield return ("reasoning", reasoning);
        }
    }

    public bool IsInForceAt(DateTimeOffset at) => this.IsInForceAtUtc(at.UtcDateTime);

    /// <summary>
    /// <see cref="IsInForceAt"/> for a UTC time, as spans give it: an entry without dates (most) is
    /// answered without building a <see cref="DateTimeOffset"/> per call.
    /// </summary>
    internal bool IsInForceAtUtc(DateTime atUtc) =>
        (this.EffectiveFrom is not { } from || atUtc >= from.UtcDateTime) && (this.EffectiveTo is not { } to || atUtc < to.UtcDateTime);

    /// <summary>
    /// The prices that apply to a request with <paramref name="allInputTokens"/> input tokens (cached
    /// included). A batch call is billed at batch prices; otherwise the highest tier whose threshold the
    /// request exceeds, else the standard prices. Catalog loaders store tiers and batch as complete sets
    /// (unset prices filled from the standard set), so nothing is merged per call.
    /// </summary>
    public PriceSet PricesFor(long allInputTokens, bool batch)
    {
        if (batch && this.Batch is not null)
        {
            return this.Batch;
        }

        for (var i = this.Tiers.Count - 1; i >= 0; i--)
        {
            if (allInputTokens > this.Tiers[i].AboveInputTokens)
            {
                return this.Tiers[i].Prices;
            }
        }

        return this.Standard;
    }
}
