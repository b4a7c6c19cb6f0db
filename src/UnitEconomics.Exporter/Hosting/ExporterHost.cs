using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;
using UnitEconomics.Exporter.Configuration;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.Exporter.Receivers;
using UnitEconomics.Exporter.Security;
using UnitEconomics.Otel.InfluxDB.Sink;
using UnitEconomics.Otel.Prometheus;

namespace UnitEconomics.Exporter.Hosting;

/// <summary>
/// Builds the service: OTLP/gRPC, OTLP/HTTP and /metrics + health on their own ports. Program.cs and
/// the tests both start it from here; tests pass <c>--Exporter:OtlpHttpPort=...</c> style arguments
/// and replace services (the ingest, the metrics registry) in <c>configureServices</c>.
/// </summary>
public static class ExporterHost
{
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string MetricsPath = "/metrics";

    /// <summary>The meter of ASP.NET Core's pinned block memory pool (one measurement per block rented).</summary>
    internal const string MemoryPoolMeter = "Microsoft.AspNetCore.MemoryPool";

    private const string GrpcPathPrefix = "/opentelemetry.proto.collector.trace.v1.TraceService/";

    /// <summary>Builds the application; registrations made in <paramref name="configureServices"/> win over the defaults.</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = CreateBuilder(args);
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <summary>The builder with the default services registered and Kestrel listening on the configured ports.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // prometheus-net republishes every .NET meter on /metrics. Kestrel's memory pool meter records a
        // measurement for each 4 KB block rented, some 30 per OTLP request, and republishing them took
        // ~3 % of a saturated core; the pool's figures are left out (everything else stays).
        Metrics.ConfigureMeterAdapter(adapter => adapter.InstrumentFilterPredicate = PublishesMeter);

        // Content root = the binary's folder, so appsettings.json is found whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var section = builder.Configuration.GetSection(ExporterOptions.SectionName);
        var options = StartupValidation.BindExporterOptions(builder.Configuration);
        StartupValidation.CheckEngineOptions(builder.Configuration);

        builder.Services.Configure<ExporterOptions>(section);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxGrpcReceiveMessageBytes;
            grpc.EnableDetailedErrors = false;
        });
        builder.Services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<ExporterMetrics>((grpc, metrics) =>
            grpc.CompressionProviders =
            [
                new CheckedCompressionProvider(metrics, options.MaxGrpcReceiveMessageBytes),
                new CheckedCompressionProvider(metrics, options.MaxGrpcReceiveMessageBytes, zlib: true),
            ]);
        builder.Services.TryAddSingleton(_ => new ExporterMetrics(Metrics.DefaultRegistry));
        AddEngine(builder.Services, options);
        builder.Services.TryAddSingleton<TraceExportHandler>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<OtlpGrpcTraceService>, OtlpGrpcMethodProvider>());
        builder.Services.TryAddSingleton<OtlpHttpReceiver>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, options.ListenAddress, options.OtlpGrpcPort, HttpProtocols.Http2, options.OtlpUseTls);
            // HTTP/2 beside HTTP/1.1 only where TLS can negotiate it; cleartext HTTP/2 is for gRPC.
            var http = options.OtlpUseTls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
            Listen(kestrel, options.ListenAddress, options.OtlpHttpPort, http, options.OtlpUseTls);
            Listen(kestrel, options.ListenAddress, options.MetricsPort, HttpProtocols.Http1, useTls: false);
        });

        return builder;
    }

    /// <summary>Whether /metrics republishes an instrument of a .NET meter (all but Kestrel's memory pool).</summary>
    internal static bool PublishesMeter(System.Diagnostics.Metrics.Instrument instrument) =>
        !string.Equals(instrument.Meter.Name, MemoryPoolMeter, StringComparison.Ordinal);

    /// <summary>
    /// The cost engine (options from the "UnitEconomics" section), its sinks (prometheus-net always,
    /// InfluxDB when <c>Exporter:Influx:Url</c> is set) and the queued ingest that feeds it.
    /// </summary>
    private static void AddEngine(IServiceCollection services, ExporterOptions options)
    {
        // The books first: the engine's tenant source takes the infra cost source registered here.
        services.AddUnitEconomicsBooks(sp => sp.GetRequiredService<ExporterMetrics>().Registry);
        services.AddUnitEconomicsEngine();

        // The cost metrics go to the registry /metrics serves (ExporterMetrics'), which a test may
        // replace with a fresh one; AddUnitEconomicsPrometheus then only adds the sink to the engine's.
        services.TryAddSingleton(sp => new PrometheusCostSink(sp.GetRequiredService<ExporterMetrics>().Registry));
        services.AddUnitEconomicsPrometheus();

        if (options.Influx.Url is not null)
        {
            services.AddUnitEconomicsInfluxDb(options.Influx);
        }

        services.TryAddSingleton<EngineTraceIngest>();
        services.TryAddSingleton<ITraceIngest>(sp => sp.GetRequiredService<EngineTraceIngest>());
        services.AddHostedService<EngineIngestService>();
    }

    /// <summary>Maps the OTLP, metrics and health endpoints, each answering only on its own port.</summary>
    public static void MapEndpoints(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ExporterOptions>>().Value;
        var metrics = app.Services.GetRequiredService<ExporterMetrics>();
        var metricsToken = new BearerToken(options.MetricsBearerToken);
        var grpcGate = new GrpcRequestGate(app.Services.GetRequiredService<TraceExportHandler>(), metrics, options.MaxGrpcReceiveMessageBytes);

        // Port routing by the local port, not the Host header: behind a proxy or a Service the Host
        // header carries the outside port.
        app.Use((context, next) =>
        {
            var path = context.Request.Path.Value ?? string.Empty;
            var port = context.Connection.LocalPort;
            if (path.Equals(MetricsPath, StringComparison.Ordinal))
            {
                if (port != options.MetricsPort)
                {
                    return NotFound(context);
                }

                if (!metricsToken.Allows(context.Request.Headers.Authorization))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return Task.CompletedTask;
                }
            }
            else if (path.Equals(OtlpHttpReceiver.Path, StringComparison.Ordinal) && port != options.OtlpHttpPort)
            {
                return NotFound(context);
            }
            else if (path.StartsWith(GrpcPathPrefix, StringComparison.Ordinal))
            {
                return port != options.OtlpGrpcPort ? NotFound(context) : GateThenNext(grpcGate, context, next);
            }

            return next(context);
        });

        app.MapGrpcService<OtlpGrpcTraceService>();
        var receiver = app.Services.GetRequiredService<OtlpHttpReceiver>();
        app.MapPost(OtlpHttpReceiver.Path, receiver.HandleAsync);
        app.MapMetrics(MetricsPath, metrics.Registry);
        app.MapGet(HealthPath, () => Results.Text("ok"));
        app.MapGet(ReadyPath, (ITraceIngest ingest) =>
            ingest.IsReady ? Results.Text("ready") : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable));
    }

    private static async Task GateThenNext(GrpcRequestGate gate, HttpContext context, RequestDelegate next)
    {
        if (await gate.AdmitAsync(context))
        {
            await next(context);
        }
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static void Listen(KestrelServerOptions kestrel, string address, int port, HttpProtocols protocols, bool useTls)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (useTls)
            {
                // Kestrel's default certificate (Kestrel:Certificates:Default in configuration).
                listen.UseHttps();
            }
        }

        if (string.Equals(address, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(port, Configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address), port, Configure);
        }
    }
}
