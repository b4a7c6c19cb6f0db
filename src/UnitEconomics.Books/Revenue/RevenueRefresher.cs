using UnitEconomics.Books.Revenue.Stripe;
using UnitEconomics.Otel.Processing;
using UnitEconomics.Otel.Tenants;
using UnitEconomics.Otel.Sources;

namespace UnitEconomics.Books.Revenue;

/// <summary>
/// Keeps the tenant directory's revenue in step with the billing source named in the tenant file's
/// <c>revenue</c> section: reads it now and every <c>refresh</c>, and lays the figures over the file
/// (<see cref="TenantDirectorySource.ApplyFigures"/>), so the tenant gauges, the margin and the alerts
/// follow billing. A failed read changes nothing: the last good figures stay in use,
/// <see cref="Failures"/> counts it and <see cref="RefreshFailed"/> says why (one line, no key).
/// </summary>
public sealed class RevenueRefresher
{
    private readonly TenantDirectorySource tenants;
    private readonly Func<string, string?>? environment;
    private readonly TimeSpan? retryDelay;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);
    private long failures;

    public RevenueRefresher(TenantDirectorySource tenants, Func<string, string?>? environment = null, TimeSpan? retryDelay = null)
    {
        this.tenants = tenants;
        this.environment = environment;
        this.retryDelay = retryDelay;
    }

    /// <summary>Raised after a good read was applied.</summary>
    public event Action<RevenueSnapshot>? Refreshed;

    /// <summary>Raised when a read failed: the source's name and the one-line error. The last good figures stay.</summary>
    public event Action<string, string>? RefreshFailed;

    /// <summary>The last good read; null before the first.</summary>
    public RevenueSnapshot? Last { get; private set; }

    /// <summary>The error of the last read when it failed; null after a good one.</summary>
    public string? LastError { get; private set; }

    /// <summary>Reads that failed since start.</summary>
    public long Failures => Interlocked.Read(ref this.failures);

    /// <summary>True when the tenant file names a revenue source.</summary>
    public bool IsConfigured => this.tenants.File.RevenueSettings is not null;

    /// <summary>The configured source's name (<c>stripe</c>, <c>stripe export</c>); <c>revenue</c> while the section cannot be read.</summary>
    public string SourceName
    {
        get
        {
            try
            {
                return RevenueSettings.From(this.tenants.File)?.SourceName ?? "revenue";
            }
            catch (TenantDirectoryException)
            {
                return "revenue";
            }
        }
    }

    /// <summary>Reads the source once and applies it.</summary>
    /// <returns>True when new figures were applied; false when the file names no source or the read failed.</returns>
    public async Task<bool> RefreshAsync(CancellationToken cancel = default)
    {
        await this.oneAtATime.WaitAsync(cancel);
        var source = this.SourceName;
        try
        {
            var settings = RevenueSettings.From(this.tenants.File);
            if (settings is null)
            {
                if (this.Last is not null)
                {
                    // The section was removed from the file: back to the file's own figures.
                    this.tenants.ApplyFigures(null);
                    this.Last = null;
                }

                return false;
            }

            var snapshot = await StripeRevenue.ReadAsync(settings, this.environment, this.retryDelay, cancel: cancel);
            this.tenants.ApplyFigures(snapshot.ToFigures());
            this.Last = snapshot;
            this.LastError = null;
            this.Refreshed?.Invoke(snapshot);
            return true;
        }
        catch (Exception ex) when (ex is RevenueSourceException or TenantDirectoryException)
        {
            Interlocked.Increment(ref this.failures);
            this.LastError = ex.Message;
            this.RefreshFailed?.Invoke(source, ex.Message);
            return false;
        }
        finally
        {
            this.oneAtATime.Release();
        }
    }

    /// <summary>Refreshes now and then every <c>revenue.stripe.refresh</c> (1 h for saved lists) until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await this.RefreshAsync(stop);
            var interval = TimeSpan.FromHours(1);
            try
            {
                interval = RevenueSettings.From(this.tenants.File)?.Api?.Refresh ?? interval;
            }
            catch (TenantDirectoryException)
            {
                // Already counted by the refresh; wait the default interval.
            }

            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
