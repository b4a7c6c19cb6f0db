namespace UnitEconomics.Otel.InfluxDB.Sink;

/// <summary>
/// The sink's counters at one moment. Every accepted event ends in exactly one of written, failed
/// (the server refused its batch) or dropped (pushed out of a full buffer, or still pending when the
/// sink shut down); until then it is in the buffer.
/// </summary>
public readonly record struct InfluxDbSinkStats(long PointsWritten, long PointsFailed, long PointsDropped, int BufferDepth);
