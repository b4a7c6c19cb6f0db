using UnitEconomics.Exporter.Hosting;

// The exporter service: OTLP/gRPC on 4317, OTLP/HTTP on 4318, /metrics, /healthz and /readyz on 9464.
var app = ExporterHost.Build(args);
app.Run();

/// <summary>Entry point; public so test hosts can name the assembly's program.</summary>
public partial class Program;
