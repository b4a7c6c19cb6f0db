using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests;

/// <summary>otel-collector-config.yaml: a pipeline that the collector would accept, pointed at the exporter service.</summary>
public sealed class CollectorConfigTests
{
    private static readonly string ConfigPath = RepoPaths.Combine("otel-collector-config.yaml");

    [Fact]
    public void Pipelines_name_only_defined_components()
    {
        var config = Yaml.Load(ConfigPath);
        var service = config.Map("service");
        foreach (var extension in service.Get("extensions").Strings())
        {
            Assert.True(config.Map("extensions").ContainsKey(extension), extension);
        }

        var pipelines = service.Map("pipelines");
        Assert.Equal(["traces"], pipelines.Keys.Select(k => k.ToString()!).ToArray());
        foreach (var (name, pipeline) in pipelines)
        {
            foreach (var kind in new[] { "receivers", "processors", "exporters" })
            {
                var used = pipeline.Get(kind).Strings().ToArray();
                Assert.NotEmpty(used);
                foreach (var component in used)
                {
                    Assert.True(config.Map(kind).ContainsKey(component), $"{name}: {kind} '{component}' is not defined");
                }
            }

            // memory_limiter must be first to protect everything after it.
            Assert.Equal("memory_limiter", pipeline.Get("processors").Strings().First());
        }
    }

    [Fact]
    public void Receives_otlp_on_the_standard_ports_and_has_a_health_check()
    {
        var config = Yaml.Load(ConfigPath);
        var protocols = config.Map("receivers").Map("otlp").Map("protocols");
        Assert.Equal("0.0.0.0:4317", protocols.Map("grpc").Str("endpoint"));
        Assert.Equal("0.0.0.0:4318", protocols.Map("http").Str("endpoint"));
        Assert.Equal("0.0.0.0:13133", config.Map("extensions").Map("health_check").Str("endpoint"));
    }

    [Fact]
    public void Loadbalancing_routes_by_trace_to_the_headless_service_grpc_port()
    {
        var lb = Yaml.Load(ConfigPath).Map("exporters").Map("loadbalancing");
        Assert.Equal("traceID", lb.Str("routing_key"));
        Assert.NotNull(lb.Map("protocol").Get("otlp"));
        var dns = lb.Map("resolver").Map("dns");

        var headless = Yaml.LoadAll(RepoPaths.Combine("deploy", "kubernetes", "exporter.yaml"))
            .Single(d => d.Str("kind") == "Service" && d.Map("spec").Get("clusterIP")?.ToString() == "None");
        Assert.Equal(headless.Map("metadata").Str("name"), dns.Str("hostname"));
        var grpc = headless.Map("spec").List("ports").Maps().Single(p => p.Str("name") == "otlp-grpc");
        Assert.Equal("4317", grpc.Str("port"));
        Assert.Equal(grpc.Str("port"), dns.Str("port"));
    }

    [Fact]
    public void Kubernetes_configmap_carries_the_same_config()
    {
        var configMap = Yaml.LoadAll(RepoPaths.Combine("deploy", "kubernetes", "otel-collector.yaml"))
            .Single(d => d.Str("kind") == "ConfigMap");
        Assert.Equal(File.ReadAllText(ConfigPath), configMap.Map("data").Str("config.yaml"));
    }
}
