using System.Text.RegularExpressions;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests;

/// <summary>
/// docker-compose and the Kubernetes manifests cannot run here (no container engine): they are parsed and
/// their cross references checked: mounted files exist, ports and names agree with the configs.
/// </summary>
public sealed class DeploymentTests
{
    private static readonly string DeployDir = RepoPaths.Combine("deploy");

    /// <summary>Files other branches of this issue deliver; until they are merged their absence is reported, not failed.</summary>

    private static Dictionary<object, object> Compose() => Yaml.Load(Path.Combine(DeployDir, "docker-compose.yml"));

    private static Dictionary<object, object> ComposeService(string name) => Compose().Map("services").Map(name);

    private static IEnumerable<(string Source, string Target)> Mounts(string service) =>
        ComposeService(service).Get("volumes").Strings().Select(v => v.Split(':')).Select(p => (p[0], p[1]));

    private static void AssertExists(string path, string what)
    {
        var full = Path.GetFullPath(path);
        Assert.True(File.Exists(full) || Directory.Exists(full), $"{what}: {full} does not exist");
    }

    [Fact]
    public void Compose_has_the_whole_stack_and_every_mounted_path_exists()
    {
        var services = Compose().Map("services");
        Assert.Equal(
            ["alertmanager", "exporter", "grafana", "influxdb", "otel-collector", "prometheus", "pushgateway", "reconcile"],
            services.Keys.Select(k => k.ToString()!).Order().ToArray());
        Assert.StartsWith("otel/opentelemetry-collector-contrib:", services.Map("otel-collector").Str("image"));
        Assert.StartsWith("prom/prometheus:", services.Map("prometheus").Str("image"));
        Assert.StartsWith("prom/alertmanager:", services.Map("alertmanager").Str("image"));
        Assert.StartsWith("grafana/grafana:", services.Map("grafana").Str("image"));
        Assert.Equal("influxdb:1.8", services.Map("influxdb").Str("image"));

        foreach (var (name, _) in services)
        {
            foreach (var (source, _) in Mounts(name.ToString()!).Where(m => m.Source.StartsWith('.') || m.Source.StartsWith('/')))
            {
                AssertExists(Path.Combine(DeployDir, source), $"{name} volume");
            }
        }

        var build = services.Map("exporter").Map("build");
        var context = Path.Combine(DeployDir, build.Str("context"));
        Assert.Equal(Path.GetFullPath(RepoPaths.Root), Path.GetFullPath(context).TrimEnd('/'));
        Assert.Equal("src/UnitEconomics.Exporter/Dockerfile", build.Str("dockerfile"));
        Assert.True(File.Exists(RepoPaths.Combine("src", "UnitEconomics.Exporter", "UnitEconomics.Exporter.csproj")));
        AssertExists(Path.Combine(context, build.Str("dockerfile")), "exporter Dockerfile");
    }

    [Fact]
    public void Compose_configs_are_mounted_where_the_commands_read_them()
    {
        static string ConfigFlag(string service, string flag) =>
            ComposeService(service).Get("command").Strings().Single(a => a.StartsWith(flag, StringComparison.Ordinal))[flag.Length..];

        Assert.Contains(("./prometheus/prometheus.yml", ConfigFlag("prometheus", "--config.file=")), Mounts("prometheus"));
        Assert.Contains(("./alertmanager/alertmanager.yml", ConfigFlag("alertmanager", "--config.file=")), Mounts("alertmanager"));
        Assert.Contains(("../otel-collector-config.yaml", ConfigFlag("otel-collector", "--config=")), Mounts("otel-collector"));

        // prometheus.yml's rule_files are relative to its own directory: the rules must be mounted beside it.
        var prometheus = Yaml.Load(Path.Combine(DeployDir, "prometheus", "prometheus.yml"));
        var ruleGlob = prometheus.List("rule_files").Strings().Single();
        var ruleDir = Path.GetDirectoryName(ruleGlob)!;
        Assert.Contains(("./prometheus/" + ruleDir, "/etc/prometheus/" + ruleDir), Mounts("prometheus"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(DeployDir, "prometheus", ruleDir), Path.GetFileName(ruleGlob)));

        // Grafana: provisioning, and the dashboards where the provider looks for them.
        var provider = Yaml.Load(RepoPaths.Combine("dashboards", "provisioning", "dashboards", "dashboards.yml")).List("providers").Maps().Single();
        Assert.Contains(("../dashboards", provider.Map("options").Str("path") + ":ro"), Mounts("grafana").Select(m => (m.Source, m.Target + ":ro")));
        Assert.Contains(Mounts("grafana"), m => m.Target == "/etc/grafana/provisioning/datasources");
    }

    [Fact]
    public void Prometheus_scrapes_the_exporter_port_and_alerts_to_alertmanager()
    {
        var prometheus = Yaml.Load(Path.Combine(DeployDir, "prometheus", "prometheus.yml"));
        var exporterJob = prometheus.List("scrape_configs").Maps().Single(j => j.Str("job_name") == "unit-economics-exporter");
        var target = exporterJob.List("static_configs").Maps().Single().Get("targets").Strings().Single();
        Assert.Equal("exporter:9464", target);
        Assert.Contains("9464", ComposeService("exporter").Get("expose").Strings());

        var am = prometheus.Map("alerting").List("alertmanagers").Maps().Single().List("static_configs").Maps().Single().Get("targets").Strings().Single();
        Assert.Equal("alertmanager:9093", am);
        Assert.Contains("9093:9093", ComposeService("alertmanager").Get("ports").Strings());
    }

    [Fact]
    public void Compose_gives_the_exporter_the_name_the_collector_resolves()
    {
        var collector = Yaml.Load(RepoPaths.Combine("otel-collector-config.yaml"));
        var dns = collector.Map("exporters").Map("loadbalancing").Map("resolver").Map("dns");
        var aliases = ComposeService("exporter").Map("networks").Map("default").Get("aliases").Strings();
        Assert.Contains(dns.Str("hostname"), aliases);
        Assert.Contains(dns.Str("port"), ComposeService("exporter").Get("expose").Strings());
        Assert.Contains("4317:4317", ComposeService("otel-collector").Get("ports").Strings());
    }

    [Fact]
    public void Kubernetes_services_select_their_deployments_and_target_named_container_ports()
    {
        var documents = Directory.GetFiles(Path.Combine(DeployDir, "kubernetes"), "*.yaml").SelectMany(Yaml.LoadAll).ToArray();
        var deployments = documents.Where(d => d.Str("kind") == "Deployment").ToArray();
        Assert.Equal(["otel-collector", "unit-economics-exporter", "unit-economics-pushgateway"], deployments.Select(d => d.Map("metadata").Str("name")).Order().ToArray());
        Assert.All(documents.Where(d => d.Str("kind") != "Namespace"), d => Assert.Equal("unit-economics", d.Map("metadata").Str("namespace")));

        var services = documents.Where(d => d.Str("kind") == "Service").ToArray();
        Assert.Equal(4, services.Length);
        foreach (var service in services)
        {
            var selector = service.Map("spec").Map("selector");
            var deployment = deployments.Single(d =>
                selector.All(kv => d.Map("spec").Map("template").Map("metadata").Map("labels").Get(kv.Key.ToString()!)?.ToString() == kv.Value.ToString()));
            Assert.Equal(selector.ToDictionary(kv => kv.Key, kv => kv.Value), deployment.Map("spec").Map("selector").Map("matchLabels"));
            var containerPorts = deployment.Map("spec").Map("template").Map("spec").List("containers").Maps()
                .SelectMany(c => c.List("ports").Maps()).ToDictionary(p => p.Str("name"), p => p.Str("containerPort"));
            foreach (var port in service.Map("spec").List("ports").Maps())
            {
                var targetPort = port.Str("targetPort");
                Assert.True(containerPorts.ContainsKey(targetPort), $"{service.Map("metadata").Str("name")}: {targetPort}");
                Assert.Equal(port.Str("port"), containerPorts[targetPort]);
            }
        }
    }

    [Fact]
    public void Exporter_pods_are_annotated_for_scraping_on_the_metrics_port()
    {
        var deployment = Yaml.LoadAll(Path.Combine(DeployDir, "kubernetes", "exporter.yaml")).Single(d => d.Str("kind") == "Deployment");
        var template = deployment.Map("spec").Map("template");
        var annotations = template.Map("metadata").Map("annotations");
        Assert.Equal("true", annotations.Str("prometheus.io/scrape"));
        Assert.Equal("9464", annotations.Str("prometheus.io/port"));
        var ports = template.Map("spec").List("containers").Maps().Single().List("ports").Maps().Select(p => p.Str("containerPort"));
        Assert.Contains("9464", ports);

        var scrape = Yaml.LoadAll(Path.Combine(DeployDir, "kubernetes", "prometheus-scrape.yaml")).Single();
        var job = Yaml.Parse(scrape.Map("data").Str("scrape-configs.yaml")).List("scrape_configs").Maps().Single(j => j.Str("job_name") == "unit-economics-exporter");
        Assert.Contains(job.List("relabel_configs").Maps(), r =>
            r.Get("source_labels").Strings().SequenceEqual(["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]) && r.Str("action") == "keep");
    }

    [Fact]
    public void Collector_deployment_mounts_its_configmap_where_it_reads_the_config()
    {
        var documents = Yaml.LoadAll(Path.Combine(DeployDir, "kubernetes", "otel-collector.yaml"));
        var deployment = documents.Single(d => d.Str("kind") == "Deployment");
        var pod = deployment.Map("spec").Map("template").Map("spec");
        var container = pod.List("containers").Maps().Single();
        var configArg = container.Get("args").Strings().Single(a => a.StartsWith("--config=", StringComparison.Ordinal))["--config=".Length..];
        var mount = container.List("volumeMounts").Maps().Single();
        var volume = pod.List("volumes").Maps().Single(v => v.Str("name") == mount.Str("name"));
        var configMap = documents.Single(d => d.Str("kind") == "ConfigMap");
        Assert.Equal(configMap.Map("metadata").Str("name"), volume.Map("configMap").Str("name"));
        Assert.Equal(Path.Combine(mount.Str("mountPath"), configMap.Map("data").Keys.Single().ToString()!), configArg);
        Assert.Matches(new Regex("^otel/opentelemetry-collector-contrib:"), container.Str("image"));
    }

    [Fact]
    public void Kubernetes_creates_every_configmap_it_mounts_and_the_tenant_file_is_where_the_exporter_reads_it()
    {
        // The compose check (every mounted path exists) for the manifests: a mounted ConfigMap that no
        // manifest creates leaves the pod without its file; the exporter then refuses to start.
        var documents = Directory.GetFiles(Path.Combine(DeployDir, "kubernetes"), "*.yaml").SelectMany(Yaml.LoadAll).ToArray();
        var configMaps = documents.Where(d => d.Str("kind") == "ConfigMap").ToDictionary(d => d.Map("metadata").Str("name"));
        foreach (var deployment in documents.Where(d => d.Str("kind") == "Deployment"))
        {
            var pod = deployment.Map("spec").Map("template").Map("spec");
            foreach (var volume in pod.List("volumes").Maps().Where(v => v.ContainsKey("configMap")))
            {
                var name = volume.Map("configMap").Str("name");
                Assert.True(configMaps.ContainsKey(name), $"{deployment.Map("metadata").Str("name")} mounts ConfigMap '{name}', which no manifest creates");
                Assert.NotEqual("true", volume.Map("configMap").Get("optional")?.ToString());
            }
        }

        // The exporter's tenant file: the mount path plus the ConfigMap's key is the configured path,
        // and the data is the example tenant file, which the service loads.
        var exporter = documents.Single(d => d.Str("kind") == "Deployment" && d.Map("metadata").Str("name") == "unit-economics-exporter").Map("spec").Map("template").Map("spec");
        var container = exporter.List("containers").Maps().Single();
        var tenantFile = container.List("env").Maps().Single(e => e.Str("name") == "UnitEconomics__TenantFile").Str("value");
        var mount = container.List("volumeMounts").Maps().Single(m => tenantFile.StartsWith(m.Str("mountPath") + "/", StringComparison.Ordinal));
        var volumeName = exporter.List("volumes").Maps().Single(v => v.Str("name") == mount.Str("name")).Map("configMap").Str("name");
        var data = configMaps[volumeName].Map("data");
        var text = data.Str(tenantFile[(mount.Str("mountPath").Length + 1)..]);
        Assert.Equal(File.ReadAllText(Path.Combine(DeployDir, "tenants.example.yaml")).Trim(), text.Trim());
        var directory = UnitEconomics.Otel.Tenants.TenantDirectory.Parse(text, "kubernetes/tenants.yaml");
        Assert.Equal(7, directory.TenantCount);
    }

    [Fact]
    public void Exporter_environment_variables_name_real_configuration_keys()
    {
        // Every variable the deployments set must bind to an option the service reads ("A__B" is the
        // configuration key "A:B"); a misspelt one would be ignored in silence.
        var compose = ComposeService("exporter").Map("environment").Keys.Select(k => k.ToString()!);
        var kubernetes = Yaml.LoadAll(Path.Combine(DeployDir, "kubernetes", "exporter.yaml")).Single(d => d.Str("kind") == "Deployment")
            .Map("spec").Map("template").Map("spec").List("containers").Maps().Single().List("env").Maps().Select(e => e.Str("name"));
        var sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
        {
            ["Exporter"] = typeof(UnitEconomics.Exporter.Configuration.ExporterOptions),
            ["UnitEconomics"] = typeof(UnitEconomics.Otel.Engine.UnitEconomicsOptions),
        };
        foreach (var name in compose.Concat(kubernetes))
        {
            var path = name.Split("__");
            Assert.True(sections.TryGetValue(path[0], out var type), $"{name}: no configuration section '{path[0]}'");
            foreach (var part in path.Skip(1))
            {
                var property = type!.GetProperty(part, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
                Assert.True(property is not null, $"{name}: {type.Name} has no property '{part}'");
                type = property!.PropertyType;
            }
        }
    }

    [Fact]
    public void The_daily_reconciliation_pushes_where_prometheus_scrapes_with_honor_labels()
    {
        // compose: the reconcile service pushes to the pushgateway service, which prometheus.yml scrapes with honor_labels.
        var prometheus = Yaml.Load(Path.Combine(DeployDir, "prometheus", "prometheus.yml"));
        var job = prometheus.List("scrape_configs").Maps().Single(j => j.Str("job_name") == "pushgateway");
        Assert.Equal("true", job.Str("honor_labels").ToLowerInvariant());
        Assert.Equal("pushgateway:9091", job.List("static_configs").Maps().Single().Get("targets").Strings().Single());
        Assert.Contains("9091", ComposeService("pushgateway").Get("expose").Strings());
        var loop = ComposeService("reconcile").Get("command").Strings().Single();
        Assert.Contains("--pushgateway http://pushgateway:9091", loop, StringComparison.Ordinal);
        Assert.Contains("--prometheus http://prometheus:9090", loop, StringComparison.Ordinal);
        Assert.Equal("src/UnitEconomics.Cli/Dockerfile", ComposeService("reconcile").Map("build").Str("dockerfile"));
        AssertExists(RepoPaths.Combine("src", "UnitEconomics.Cli", "Dockerfile"), "ue Dockerfile");

        // Kubernetes: the CronJob's keys come from a Secret, and it pushes to the Pushgateway Service the scrape config names.
        var documents = Yaml.LoadAll(Path.Combine(DeployDir, "kubernetes", "reconcile-cronjob.yaml")).ToArray();
        var cron = documents.Single(d => d.Str("kind") == "CronJob");
        Assert.Equal("0 1 * * *", cron.Map("spec").Str("schedule"));
        var container = cron.Map("spec").Map("jobTemplate").Map("spec").Map("template").Map("spec").List("containers").Maps().Single();
        var args = container.Get("args").Strings().ToArray();
        Assert.Equal("reconcile", args[0]);
        foreach (var env in container.List("env").Maps())
        {
            Assert.Contains($"={env.Str("name")}", string.Join(' ', args), StringComparison.Ordinal);
            Assert.Equal("unit-economics-admin-keys", env.Map("valueFrom").Map("secretKeyRef").Str("name"));
        }

        var service = documents.Single(d => d.Str("kind") == "Service").Map("metadata").Str("name");
        var pushUrl = args.Single(a => a.StartsWith("--pushgateway=", StringComparison.Ordinal));
        Assert.StartsWith($"--pushgateway=http://{service}.unit-economics.svc:9091", pushUrl, StringComparison.Ordinal);
        var scrape = Yaml.LoadAll(Path.Combine(DeployDir, "kubernetes", "prometheus-scrape.yaml")).Single();
        var pushJob = Yaml.Parse(scrape.Map("data").Str("scrape-configs.yaml")).List("scrape_configs").Maps().Single(j => j.Str("job_name") == "unit-economics-pushgateway");
        Assert.Equal("true", pushJob.Str("honor_labels").ToLowerInvariant());
        Assert.Equal($"{service}.unit-economics.svc:9091", pushJob.List("static_configs").Maps().Single().Get("targets").Strings().Single());
    }
}
