namespace UnitEconomics.Otel.InfluxDB.Tests;

/// <summary>Waits for a condition with a generous deadline (no test asserts how long anything takes).</summary>
internal static class Poll
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<bool> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met within " + Timeout + (what is null ? string.Empty : ": " + what));
            }

            await Task.Delay(20);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Condition not met within " + Timeout + (what is null ? string.Empty : ": " + what));
            }

            await Task.Delay(100);
        }
    }
}
