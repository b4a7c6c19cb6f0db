using System.Text.RegularExpressions;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Deploy.Tests;

/// <summary>The rule file, its promtool unit tests and the Prometheus and Alertmanager configs, checked by the real tools.</summary>
public sealed class PrometheusRulesTests
{
    private static readonly string RulesFile = RepoPaths.Combine("deploy", "prometheus", "rules", "unit-economics.rules.yml");
    private static readonly string BillingRulesFile = RepoPaths.Combine("deploy", "prometheus", "rules", "billing.rules.yml");
    private static readonly string[] RuleFiles = [RulesFile, BillingRulesFile];
    private static readonly string TestsDir = RepoPaths.Combine("deploy", "prometheus", "tests");

    private static IEnumerable<Dictionary<object, object>> Rules() => RuleFiles.SelectMany(RulesOf);

    private static IEnumerable<Dictionary<object, object>> RulesOf(string file) =>
        Yaml.Load(file).List("groups").Maps().SelectMany(g => g.List("rules").Maps());

    private static IEnumerable<Dictionary<object, object>> AlertRules() => Rules().Where(r => r.Get("alert") is not null);

    [SkippableFact]
    public async Task Promtool_check_rules_accepts_the_rule_file()
    {
        var promtool = ExternalBinary.Require("promtool", "prometheus");

        var (code, output) = await ManagedProcess.RunAsync(promtool, ["check", "rules", RulesFile, BillingRulesFile]);
        Assert.True(code == 0, output);
        Assert.Contains($"SUCCESS: {RulesOf(RulesFile).Count()} rules found", output); // promtool read every rule of each file
        Assert.Contains($"SUCCESS: {RulesOf(BillingRulesFile).Count()} rules found", output);
    }

    [SkippableFact]
    public async Task Promtool_unit_tests_pass()
    {
        var promtool = ExternalBinary.Require("promtool", "prometheus");

        var files = Directory.GetFiles(TestsDir, "*.test.yml").Order().ToArray();
        Assert.NotEmpty(files);
        var (code, output) = await ManagedProcess.RunAsync(promtool, ["test", "rules", .. files], TestsDir);
        Assert.True(code == 0, output);
        Assert.Equal(files.Length, Regex.Count(output, "SUCCESS"));
    }

    [SkippableFact]
    public async Task Promtool_check_config_resolves_the_rule_files()
    {
        var promtool = ExternalBinary.Require("promtool", "prometheus");

        var config = RepoPaths.Combine("deploy", "prometheus", "prometheus.yml");
        var (code, output) = await ManagedProcess.RunAsync(promtool, ["check", "config", config]);
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 2 rule files found", output);
        Assert.Contains($"{RulesOf(RulesFile).Count()} rules found", output);
        Assert.Contains($"{RulesOf(BillingRulesFile).Count()} rules found", output);
    }

    [SkippableFact]
    public async Task Amtool_accepts_the_alertmanager_config()
    {
        var amtool = ExternalBinary.Require("amtool", "prometheus-alertmanager");

        var (code, output) = await ManagedProcess.RunAsync(amtool, ["check-config", RepoPaths.Combine("deploy", "alertmanager", "alertmanager.yml")]);
        Assert.True(code == 0, output);
        Assert.Contains("4 inhibit rules", output);
    }

    [SkippableTheory]
    [InlineData("unit-economics-tenants", "alertname=AITenantNegativeMargin", "severity=warning", "tenant=acme", "tier=pro")]
    [InlineData("unit-economics-tenants", "alertname=AITenantSpendSpike", "severity=warning", "tenant=acme", "tier=pro")]
    [InlineData("unit-economics-critical", "alertname=AINegativeGrossMargin", "severity=critical", "tier=pro")]
    [InlineData("unit-economics-webhook", "alertname=AIFreeTierSubsidyHigh", "severity=warning", "tier=free")]
    public async Task Alertmanager_routes_each_kind_of_alert_to_its_receiver(string receiver, params string[] labels)
    {
        var amtool = ExternalBinary.Require("amtool", "prometheus-alertmanager");
        var config = "--config.file=" + RepoPaths.Combine("deploy", "alertmanager", "alertmanager.yml");
        var (code, output) = await ManagedProcess.RunAsync(amtool, ["config", "routes", "test", config, .. labels]);
        Assert.True(code == 0, output);
        Assert.Contains(receiver, output.Split('\n').Select(l => l.Trim())); // amtool may warn on another line
    }

    [Fact]
    public void Exactly_the_contract_alerts_are_defined()
    {
        var names = AlertRules().Select(r => r.Str("alert")).Order().ToArray();
        Assert.Equal(Contract.Alerts.Order().ToArray(), names);
    }

    [Fact]
    public void Every_alert_has_severity_for_summary_description_and_a_runbook_anchor_that_exists()
    {
        var runbook = File.ReadAllText(RepoPaths.Combine("docs", "alerts.md"));
        var anchors = Regex.Matches(runbook, "^#{2,3} (.+)$", RegexOptions.Multiline)
            .Select(m => Regex.Replace(m.Groups[1].Value.Trim().ToLowerInvariant(), "[^a-z0-9 -]", "").Replace(' ', '-'))
            .ToHashSet();
        foreach (var rule in AlertRules())
        {
            var name = rule.Str("alert");
            Assert.Contains(rule.Map("labels").Str("severity"), new[] { "warning", "critical" });
            Assert.Matches("^[0-9]+[mh]$", rule.Str("for"));
            var annotations = rule.Map("annotations");
            Assert.False(string.IsNullOrWhiteSpace(annotations.Str("summary")), name);
            Assert.Contains("$value", annotations.Str("description"));
            var url = annotations.Str("runbook_url");
            Assert.Equal("docs/alerts.md#" + name.ToLowerInvariant(), url);
            Assert.Contains(name.ToLowerInvariant(), anchors);
        }
    }

    [Fact]
    public void Recording_rules_follow_level_metric_operations_naming()
    {
        var records = Rules().Select(r => r.Get("record")?.ToString()).OfType<string>().ToArray();
        Assert.NotEmpty(records);
        foreach (var name in records)
        {
            Assert.Matches("^[a-z_]*:ai_[a-z0-9_]+:[a-z0-9_]+$", name);
        }

        Assert.Equal(records.Length, records.Distinct().Count());
        foreach (var required in new[]
                 {
                     "tier:ai_cost_per_customer_usd:30d", "tier:ai_revenue_per_customer_usd:month", "tier:ai_gross_margin_usd_per_customer:30d",
                     "use_case:ai_cache_hit_ratio:rate1h", "use_case_model:ai_prompt_cache_read_ratio:rate1h", "use_case:ai_agent_cost_multiplier:ratio", ":ai_free_tier_spend_share:ratio7d",
                     ":ai_spend_engagement_correlation:pearson30d",
                 })
        {
            Assert.Contains(required, records);
        }
    }

    [Fact]
    public void Rules_select_only_contract_series_or_recorded_ones()
    {
        var records = Rules().Select(r => r.Get("record")?.ToString()).OfType<string>().ToHashSet();
        foreach (var rule in Rules())
        {
            var expr = rule.Str("expr");
            foreach (Match m in Regex.Matches(expr, @"(?<![a-z_:])(:?[a-z_]*:?ai_[a-z0-9_]+(?::[a-z0-9_]+)?)"))
            {
                var name = m.Groups[1].Value;
                Assert.True(Contract.SeriesNames.Contains(name) || records.Contains(name), $"{name} in {expr}");
            }
        }
    }

    [Fact]
    public void Free_tier_is_identified_by_the_documented_label_value()
    {
        var share = Rules().Single(r => r.Get("record")?.ToString() == ":ai_free_tier_spend_share:ratio7d").Str("expr");
        Assert.Contains("{tier=\"free\"}", share);
        Assert.Contains("tier=\"free\"", File.ReadAllText(RepoPaths.Combine("docs", "alerts.md")));
        Assert.Equal("free", AlertRules().Single(r => r.Str("alert") == "AIFreeTierSubsidyHigh").Map("labels").Str("tier"));
    }

    [Fact]
    public void Every_alert_is_tested_both_firing_and_not_firing()
    {
        var firing = new HashSet<string>();
        var silent = new HashSet<string>();
        foreach (var file in Directory.GetFiles(TestsDir, "*.test.yml"))
        {
            var test = Yaml.Load(file);
            Assert.Contains(test.List("rule_files").Single(), new[] { "../rules/unit-economics.rules.yml", "../rules/billing.rules.yml" });
            foreach (var group in test.List("tests").Maps())
            {
                foreach (var testCase in (group.Get("alert_rule_test") as List<object> ?? []).Maps())
                {
                    var expected = testCase.Get("exp_alerts") as List<object> ?? [];
                    (expected.Count > 0 ? firing : silent).Add(testCase.Str("alertname"));
                }
            }
        }

        foreach (var alert in Contract.Alerts)
        {
            Assert.Contains(alert, firing);
            Assert.Contains(alert, silent);
        }
    }
}
