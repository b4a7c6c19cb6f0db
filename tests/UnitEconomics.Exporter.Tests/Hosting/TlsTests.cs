using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using Prometheus;
using UnitEconomics.Exporter.Diagnostics;
using UnitEconomics.Exporter.Hosting;
using UnitEconomics.Exporter.Ingest;
using UnitEconomics.TestSupport;

namespace UnitEconomics.Exporter.Tests.Hosting;

/// <summary>TLS through standard Kestrel configuration: the official exporter sends over https to both OTLP ports.</summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Official_exporter_sends_over_tls(OtlpExportProtocol protocol)
    {
        using var certificate = SelfSigned();
        var pfx = Path.Combine(Path.GetTempPath(), $"exporter-tls-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password"));
        try
        {
            int grpc = ExternalBinary.FreePort(), http = ExternalBinary.FreePort(), metrics = ExternalBinary.FreePort();
            var ingest = new CountingTraceIngest();
            var app = ExporterHost.Build(
                [
                    "--Exporter:ListenAddress=127.0.0.1", $"--Exporter:OtlpGrpcPort={grpc}", $"--Exporter:OtlpHttpPort={http}", $"--Exporter:MetricsPort={metrics}",
                    "--Exporter:OtlpUseTls=true", $"--Kestrel:Certificates:Default:Path={pfx}", "--Kestrel:Certificates:Default:Password=test-password",
                    "--Logging:LogLevel:Default=Warning",
                ],
                services =>
                {
                    services.AddSingleton<ITraceIngest>(ingest);
                    services.AddSingleton(new ExporterMetrics(Metrics.NewCustomRegistry()));
                });
            await app.StartAsync();
            try
            {
                var sourceName = "test.tls." + protocol;
                using var source = new ActivitySource(sourceName);
                using (var provider = Sdk.CreateTracerProviderBuilder().AddSource(sourceName).AddOtlpExporter(o =>
                {
                    o.Protocol = protocol;
                    o.Endpoint = protocol == OtlpExportProtocol.Grpc ? new Uri($"https://localhost:{grpc}") : new Uri($"https://localhost:{http}/v1/traces");
                    o.ExportProcessorType = ExportProcessorType.Simple;
                    o.HttpClientFactory = () => new HttpClient(new SocketsHttpHandler
                    {
                        // Trust exactly the test's certificate, nothing else.
                        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString() },
                    });
                }).Build()!)
                {
                    using var span = source.StartActivity("chat over tls");
                    span!.SetTag("gen_ai.usage.input_tokens", 42);
                }

                var received = ingest.Single("chat over tls");
                Assert.Equal(42, AttributeCollector.Read(received)["gen_ai.usage.input_tokens"].TryGetTokenCount(out var n, out _) ? n : -1);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
