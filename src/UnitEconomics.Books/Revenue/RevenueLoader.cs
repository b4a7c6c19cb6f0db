using UnitEconomics.Books.Revenue.Stripe;
using UnitEconomics.Otel.Tenants;

namespace UnitEconomics.Books.Revenue;

/// <summary>A tenant file with its billing source applied once: what a one-shot command (report, tenants, demo) uses.</summary>
/// <param name="Directory">The file with the source's figures laid over it (the file alone when there is no source or it failed).</param>
/// <param name="Snapshot">The source's figures; null when the file names no source or the read failed.</param>
/// <param name="Error">Why the read failed (one line, no key); null otherwise.</param>
public sealed record LoadedRevenue(TenantDirectory Directory, RevenueSnapshot? Snapshot, string? Error);

public static class RevenueLoader
{
    /// <summary>Reads the billing source the file names, if any, and lays it over the file. A failed read is reported, not thrown: the file's figures stand.</summary>
    /// <exception cref="TenantDirectoryException">The revenue section itself is malformed (a file error, like any other in it).</exception>
    public static async Task<LoadedRevenue> ApplyAsync(TenantDirectory file, Func<string, string?>? environment = null, DateTimeOffset? now = null, CancellationToken cancel = default)
    {
        if (RevenueSettings.From(file) is not { } settings)
        {
            return new LoadedRevenue(file, null, null);
        }

        try
        {
            var snapshot = await StripeRevenue.ReadAsync(settings, environment, now: now, cancel: cancel);
            return new LoadedRevenue(file.WithFigures(snapshot.ToFigures()), snapshot, null);
        }
        catch (RevenueSourceException ex)
        {
            return new LoadedRevenue(file, null, ex.Message);
        }
    }
}
