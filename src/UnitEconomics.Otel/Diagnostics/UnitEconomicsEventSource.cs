using System.Diagnostics.Tracing;

namespace UnitEconomics.Otel.Diagnostics;

/// <summary>
/// Self-diagnostics in the OpenTelemetry .NET style: an EventSource that dotnet-trace, dotnet-monitor or
/// an EventListener can read, independent of the app's logging.
/// </summary>
[EventSource(Name = "UnitEconomics-Otel")]
internal sealed class UnitEconomicsEventSource : EventSource
{
    public static readonly UnitEconomicsEventSource Log = new();

    [Event(1, Level = EventLevel.Warning, Message = "No price for model '{1}' (provider '{0}'); its calls are counted as unpriced.")]
    public void UnpricedModel(string provider, string model) => this.WriteEvent(1, provider, model);

    [Event(2, Level = EventLevel.Verbose, Message = "GenAI span rejected: {0}.")]
    public void SpanRejected(string reason)
    {
        if (this.IsEnabled(EventLevel.Verbose, EventKeywords.All))
        {
            this.WriteEvent(2, reason);
        }
    }

    [Event(3, Level = EventLevel.Error, Message = "Processing a span failed and was contained: {0}: {1}")]
    public void SpanProcessingFailed(string exceptionType, string message) => this.WriteEvent(3, exceptionType, message);

    [Event(4, Level = EventLevel.Error, Message = "Reloading '{0}' failed; the previous version stays in use: {1}")]
    public void ReloadFailed(string path, string message) => this.WriteEvent(4, path, message);
}
