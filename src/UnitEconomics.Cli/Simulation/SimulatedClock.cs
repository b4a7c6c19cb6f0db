using System.Diagnostics;
using OpenTelemetry;

namespace UnitEconomics.Cli.Simulation;

/// <summary>
/// Simulated time. The simulated providers advance it by each call's latency, and
/// <see cref="SimulatedClockProcessor"/> stamps spans with it, so a month of traffic runs in seconds
/// and every span still says when, in the simulated month, it happened.
/// </summary>
public sealed class SimulatedClock
{
    public SimulatedClock(DateTime startUtc)
    {
        this.Now = startUtc;
    }

    public DateTime Now { get; set; }

    public void Advance(TimeSpan by) => this.Now += by;
}

/// <summary>Stamps spans with simulated time. Registered before the cost processor so pricing sees simulated timestamps.</summary>
public sealed class SimulatedClockProcessor : BaseProcessor<Activity>
{
    private readonly SimulatedClock clock;

    public SimulatedClockProcessor(SimulatedClock clock)
    {
        this.clock = clock;
    }

    public override void OnStart(Activity data) => data.SetStartTime(this.clock.Now);

    public override void OnEnd(Activity data) => data.SetEndTime(this.clock.Now);
}
