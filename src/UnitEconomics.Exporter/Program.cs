using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Hosting;

// The exporter service: OTLP/gRPC on 4317, OTLP/HTTP on 4318, /metrics, /healthz and /readyz on 9464.
// A setting it cannot start with is one line on stderr and exit code 2, not a stack trace.
try
{
    var app = ExporterHost.Build(args);
    app.Run();
    return 0;
}
catch (ConfigurationException e)
{
    Console.Error.WriteLine("ue-exporter: configuration error: " + e.Message);
    return 2;
}

/// <summary>Entry point; public so test hosts can name the assembly's program.</summary>
public partial class Program;
