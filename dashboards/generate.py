#!/usr/bin/env python3
"""Writes the Grafana dashboards of UnitEconomics.Otel (dashboards/*.json) from one description.

Run from anywhere: python3 dashboards/generate.py. Standard library only. The JSON it writes is
committed; edit this file and re-run rather than editing the JSON by hand, so ids, uids, grid
positions and datasource references stay consistent (tests/UnitEconomics.Deploy.Tests checks them).

Conventions: Prometheus panels use the `${datasource}` variable; rate()/increase() use
$__rate_interval except over the business windows 30d/7d/1d (a month, a week, a day: what finance
compares) and $__range (the dashboard's own time range, for "spend in the selected range" totals).
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PROM = {"type": "prometheus", "uid": "${datasource}"}
INFLUX_VAR = {"type": "influxdb", "uid": "${datasource}"}
# A dashboard on Prometheus with a few InfluxDB panels picks its InfluxDB with a second variable.
INFLUX_SECOND = {"type": "influxdb", "uid": "${influx}"}


class Layout:
    """Places panels left to right in rows of 24 columns; a panel that does not fit starts a new row."""

    def __init__(self):
        self.x = 0
        self.y = 0
        self.row_h = 0
        self.next_id = 1
        self.panels = []

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.newline()
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        self.panels.append(panel)

    def newline(self):
        if self.x > 0:
            self.y += self.row_h
        self.x = 0
        self.row_h = 0

    def row(self, title):
        self.newline()
        self.add({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)
        self.newline()


def prom(expr, legend="", instant=False, fmt="time_series", ref="A"):
    target = {"datasource": PROM, "refId": ref, "expr": expr, "legendFormat": legend}
    if instant:
        target["instant"] = True
        target["range"] = False
    if fmt != "time_series":
        target["format"] = fmt
    return target


def influx(query, ref="A", fmt="time_series", ds=INFLUX_VAR):
    return {"datasource": ds, "refId": ref, "rawQuery": True, "query": query, "resultFormat": fmt}


def panel(kind, title, targets, unit, description="", ds=PROM, **extra):
    p = {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": ds,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
    }
    if kind == "timeseries":
        p["options"] = {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}}
    if kind == "stat":
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "value", "graphMode": "area"}
    p.update(extra)
    return p


def thresholds(*steps):
    """steps: (value or None, colour)."""
    return {"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in steps]}


def datasource_var(kind, name="datasource", label="Data source"):
    return {"name": name, "label": label, "type": "datasource", "query": kind,
            "current": {"text": kind, "value": kind}, "hide": 0, "refresh": 1, "regex": "", "options": []}


def query_var(name, label, query, ds=PROM, multi=True, include_all=True):
    return {"name": name, "label": label, "type": "query", "datasource": ds, "query": query,
            "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all,
            "options": [], "hide": 0}


def dashboard(uid, title, description, layout, variables, tags, time_from="now-7d"):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["unit-economics"] + tags,
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "1m",
        "time": {"from": time_from, "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": []},
        "links": [{"type": "dashboards", "tags": ["unit-economics"], "asDropdown": True, "title": "Unit economics",
                   "icon": "external link", "includeVars": False, "keepTime": True, "targetBlank": False, "tooltip": ""}],
        "panels": layout.panels,
    }


def overview():
    l = Layout()
    l.add(panel("stat", "AI spend (selected range)", [prom("sum(increase(ai_cost_usd_total[$__range]))", instant=True)],
                "currencyUSD", "All priced model calls, every tier."), 6, 4)
    l.add(panel("stat", "AI spend (30 days)", [prom("sum(tier:ai_cost_usd:increase30d)", instant=True)],
                "currencyUSD", "Recorded rule tier:ai_cost_usd:increase30d."), 6, 4)
    l.add(panel("stat", "Free-tier share of spend (7 days)", [prom(":ai_free_tier_spend_share:ratio7d", instant=True)],
                "percentunit", "Alert AIFreeTierSubsidyHigh fires above 10%.",
                fieldConfig={"defaults": {"unit": "percentunit", "decimals": 1,
                                          "thresholds": thresholds((None, "green"), (0.1, "red"))}, "overrides": []}), 6, 4)
    l.add(panel("stat", "Spend / engagement correlation (r, 30 days)",
                [prom(":ai_spend_engagement_correlation:pearson30d", instant=True)], "none",
                "Pearson r across tenants; AISpendEngagementUncorrelated fires when |r| < 0.3 with 10+ tenants.",
                fieldConfig={"defaults": {"unit": "none", "decimals": 2, "min": -1, "max": 1,
                                          "thresholds": thresholds((None, "red"), (-0.3, "green"), (0.3, "green"))},
                             "overrides": []}), 6, 4)

    l.add(panel("table", "Red flags firing", [prom('ALERTS{alertname=~"AI.*", alertstate="firing"}', instant=True, fmt="table")],
                "none", "Firing unit-economics alerts; runbooks in docs/alerts.md.",
                transformations=[{"id": "organize", "options": {
                    "excludeByName": {"Time": True, "Value": True, "__name__": True, "alertstate": True}}}]), 24, 6)

    l.row("Margin per tier")
    margin_targets = [
        prom("tier:ai_customers:count", instant=True, fmt="table", ref="A"),
        prom("tier:ai_cost_per_customer_usd:30d", instant=True, fmt="table", ref="B"),
        prom("tier:ai_revenue_per_customer_usd:month", instant=True, fmt="table", ref="C"),
        prom("tier:ai_gross_margin_usd_per_customer:30d", instant=True, fmt="table", ref="D"),
        prom("tier:ai_gross_margin:ratio30d", instant=True, fmt="table", ref="E"),
    ]
    renames = {"Value #A": "Customers", "Value #B": "Cost per customer / month",
               "Value #C": "Revenue per customer / month", "Value #D": "Gross margin per customer",
               "Value #E": "Gross margin %"}
    l.add(panel("table", "Tier margin (cost = 30-day AI spend + infra, per customer)", margin_targets, "currencyUSD",
                "What finance reads: cost per customer per month against revenue per customer, per tier.",
                transformations=[{"id": "merge", "options": {}},
                                 {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": renames}}],
                fieldConfig={"defaults": {"unit": "currencyUSD"}, "overrides": [
                    {"matcher": {"id": "byName", "options": "Customers"}, "properties": [{"id": "unit", "value": "short"}]},
                    {"matcher": {"id": "byName", "options": "Gross margin %"}, "properties": [{"id": "unit", "value": "percentunit"}]},
                    {"matcher": {"id": "byName", "options": "Gross margin per customer"}, "properties": [
                        {"id": "custom.cellOptions", "value": {"type": "color-background"}},
                        {"id": "thresholds", "value": thresholds((None, "red"), (0, "green"))}]},
                ]}), 14, 8)
    l.add(panel("timeseries", "Gross margin per customer by tier", [prom("tier:ai_gross_margin_usd_per_customer:30d", "{{tier}}")],
                "currencyUSD", "Revenue per customer minus cost per customer (trailing 30 days)."), 10, 8)

    l.row("Spend")
    l.add(panel("timeseries", "AI spend per hour by tier",
                [prom("sum by (tier) (rate(ai_cost_usd_total[$__rate_interval])) * 3600", "{{tier}}")], "currencyUSD"), 12, 8)
    l.add(panel("timeseries", "Free-tier share of spend vs the 10% line",
                [prom(":ai_free_tier_spend_share:ratio7d", "7 days", ref="A"), prom(":ai_free_tier_spend_share:ratio30d", "30 days", ref="B")],
                "percentunit", "The red line is the 10% budget of AIFreeTierSubsidyHigh.",
                fieldConfig={"defaults": {"unit": "percentunit", "min": 0,
                                          "thresholds": thresholds((None, "green"), (0.1, "red")),
                                          "custom": {"thresholdsStyle": {"mode": "line"}}}, "overrides": []}), 12, 8)
    l.add(panel("bargauge", "Cost per customer: top 10 tenants (30 days)",
                [prom("topk(10, tenant:ai_tenant_cost_usd:increase30d)", "{{tenant}}", instant=True)], "currencyUSD",
                options={"orientation": "horizontal", "displayMode": "gradient",
                         "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}), 12, 8)
    l.add(panel("timeseries", "AI spend per hour by use case",
                [prom("sum by (use_case) (rate(ai_cost_usd_total[$__rate_interval])) * 3600", "{{use_case}}")], "currencyUSD"), 12, 8)
    l.add(panel("timeseries", "AI spend per hour by model",
                [prom("sum by (provider, model) (rate(ai_cost_usd_total[$__rate_interval])) * 3600", "{{provider}}/{{model}}")],
                "currencyUSD"), 12, 8)
    l.add(panel("timeseries", "Cost per million tokens by model",
                [prom("sum by (provider, model) (rate(ai_cost_usd_total[$__rate_interval]))"
                      " / (sum by (provider, model) (rate(ai_tokens_total[$__rate_interval])) > 0) * 1e6", "{{provider}}/{{model}}")],
                "currencyUSD", "Blended: all token types over all tokens. Models priced per call (no tokens) are left out,"
                " not divided by zero: see cost per call."), 12, 8)

    l.row("Cost per inference")
    l.add(panel("timeseries", "Cost per call by operation and use case (mean)",
                [prom("sum by (operation, use_case) (rate(ai_request_cost_usd_sum[$__rate_interval]))"
                      " / (sum by (operation, use_case) (rate(ai_request_cost_usd_count[$__rate_interval])) > 0)",
                      "{{operation}} {{use_case}}")],
                "currencyUSD", "One priced call: a model call, a vector search, a rerank (ai_request_cost_usd)."), 12, 8)
    l.add(panel("timeseries", "Cost per call by use case (p50, p95)",
                [prom("histogram_quantile(0.5, sum by (use_case, le) (rate(ai_request_cost_usd_bucket[$__rate_interval])))",
                      "p50 {{use_case}}", ref="A"),
                 prom("histogram_quantile(0.95, sum by (use_case, le) (rate(ai_request_cost_usd_bucket[$__rate_interval])))",
                      "p95 {{use_case}}", ref="B")],
                "currencyUSD", "Quantiles from the histogram's buckets: within a bucket's width."), 12, 8)
    # A user request is every priced call under one local root (DESIGN §7a), recorded once when it ends:
    # its _sum/_count ratio is the mean cost of a request, its buckets give the quantiles.
    l.add(panel("timeseries", "Cost per user request by shape (mean, p50, p95)",
                [prom("sum by (shape) (increase(ai_user_request_cost_usd_sum[$__rate_interval]))"
                      " / (sum by (shape) (increase(ai_user_request_cost_usd_count[$__rate_interval])) > 0)",
                      "mean {{shape}}", ref="A"),
                 prom("histogram_quantile(0.5, sum by (shape, le) (rate(ai_user_request_cost_usd_bucket[$__rate_interval])))",
                      "p50 {{shape}}", ref="B"),
                 prom("histogram_quantile(0.95, sum by (shape, le) (rate(ai_user_request_cost_usd_bucket[$__rate_interval])))",
                      "p95 {{shape}}", ref="C")],
                "currencyUSD", "One user request: every priced call under one root span, added up (ai_user_request_cost_usd)."
                " Shapes: agent (an agent task), rag (retrieval or embeddings plus inference), single_shot (one inference call), other."), 16, 8)
    l.add(panel("stat", "Cost per RAG query by use case (selected range)",
                [prom('sum by (use_case) (increase(ai_user_request_cost_usd_sum{shape="rag"}[$__range]))'
                      ' / (sum by (use_case) (increase(ai_user_request_cost_usd_count{shape="rag"}[$__range])) > 0)',
                      "{{use_case}}", instant=True)],
                "currencyUSD", "Mean cost of a RAG query over the dashboard's range: embedding, vector search, rerank and the LLM"
                " call of one query, added up. The report's \"Cost per RAG query\" table computes the same figure.",
                options={"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                         "colorMode": "value", "graphMode": "none", "textMode": "value_and_name"}), 8, 8)

    l.row("Per customer")
    l.add(panel("table", "Paying customers by margin, lowest first (30 days)",
                [prom("bottomk(20, tenant_tier:ai_margin_usd:30d and on (tenant, tier) tenant_tier:ai_revenue_usd:month > 0)",
                      instant=True, fmt="table")],
                "currencyUSD", "Revenue − (30-day AI cost + the tier's infra per customer). Red: the customer costs more than it pays"
                " (AITenantNegativeMargin).",
                transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {"Value": "margin"}}},
                                 {"id": "sortBy", "options": {"sort": [{"field": "margin", "desc": False}]}}],
                fieldConfig={"defaults": {"unit": "currencyUSD", "thresholds": thresholds((None, "red"), (0, "green")),
                                          "custom": {"cellOptions": {"type": "color-text"}}}, "overrides": []}), 12, 8)
    l.add(panel("timeseries", "Spend spikes: last 24 h per tenant (top 10) and 3x its usual day",
                [prom("topk(10, tenant_tier:ai_tenant_cost_usd:increase1d)", "{{tenant}} last 24 h", ref="A"),
                 prom("3 * tenant_tier:ai_tenant_cost_usd:mean_daily_prev7d"
                      " and on (tenant, tier) topk(10, tenant_tier:ai_tenant_cost_usd:increase1d)", "{{tenant}} 3x usual", ref="B")],
                "currencyUSD", "AITenantSpendSpike fires when the first line of a tenant passes the second and the floor"
                " (:ai_tenant_spend_spike_floor_usd:day). The usual day needs a week of history."), 12, 8)

    l.row("Efficiency")
    l.add(panel("timeseries", "Semantic-cache hit rate by use case",
                [prom('sum by (use_case) (rate(ai_requests_total{cache="hit"}[$__rate_interval]))'
                      ' / sum by (use_case) (rate(ai_requests_total{cache=~"hit|miss"}[$__rate_interval]))', "{{use_case}}")],
                "percentunit", "Hits ÷ lookups of the app's semantic cache; calls that did not look it up (cache=\"none\") are not counted.",
                fieldConfig={"defaults": {"unit": "percentunit", "min": 0, "max": 1}, "overrides": []}), 12, 8)
    l.add(panel("timeseries", "Prompt-cache read share by use case and model",
                [prom('sum by (use_case, model) (rate(ai_tokens_total{token_type="cache_read"}[$__rate_interval]))'
                      ' / sum by (use_case, model) (rate(ai_tokens_total{token_type=~"input|cache_read|cache_write"}[$__rate_interval]))',
                      "{{use_case}} {{model}}")],
                "percentunit", "Input tokens read from the provider's prompt cache ÷ all input tokens (cached input is billed at its own, lower price).",
                fieldConfig={"defaults": {"unit": "percentunit", "min": 0, "max": 1}, "overrides": []}), 12, 8)
    l.add(panel("timeseries", "Agent task cost vs single-shot (multiplier, 1 day)",
                [prom("use_case:ai_agent_cost_multiplier:ratio", "{{use_case}}")], "suffix:x",
                "AIAgentCostMultiplierHigh fires at 5x.",
                fieldConfig={"defaults": {"unit": "suffix:x", "thresholds": thresholds((None, "green"), (5, "red")),
                                          "custom": {"thresholdsStyle": {"mode": "line"}}}, "overrides": []}), 12, 8)
    return dashboard("ue-overview", "AI unit economics: overview",
                     "AI spend, cost per customer, margin per tier and the red flags.", l,
                     [datasource_var("prometheus")], ["overview"])


def tenant():
    l = Layout()
    sel = 'tenant="$tenant"'
    l.add(panel("stat", "AI cost (30 days)", [prom(f"sum(increase(ai_tenant_cost_usd_total{{{sel}}}[30d]))", instant=True)],
                "currencyUSD"), 6, 4)
    l.add(panel("stat", "Revenue per month", [prom(f"max(ai_tenant_revenue_usd_per_month{{{sel}}})", instant=True)],
                "currencyUSD"), 6, 4)
    l.add(panel("stat", "Gross margin (30 days, after infra)",
                [prom(f"max by (tier) (ai_tenant_revenue_usd_per_month{{{sel}}})"
                      f" - on (tier) (sum by (tier) (increase(ai_tenant_cost_usd_total{{{sel}}}[30d]))"
                      " + on (tier) ((tier:ai_infra_cost_usd:month or tier:ai_customers:count * 0)"
                      " / on (tier) tier:ai_customers:count))",
                      "{{tier}}", instant=True)],
                "currencyUSD", "Revenue minus AI cost minus the tier's infra cost per customer.",
                fieldConfig={"defaults": {"unit": "currencyUSD", "thresholds": thresholds((None, "red"), (0, "green"))},
                             "overrides": []}), 6, 4)
    l.add(panel("stat", "AI cost as share of revenue (30 days)",
                [prom(f"sum(increase(ai_tenant_cost_usd_total{{{sel}}}[30d])) / max(ai_tenant_revenue_usd_per_month{{{sel}}} > 0)",
                      instant=True)],
                "percentunit", "How much of what the tenant pays goes to AI.",
                fieldConfig={"defaults": {"unit": "percentunit",
                                          "thresholds": thresholds((None, "green"), (0.5, "orange"), (1, "red"))},
                             "overrides": []}), 6, 4)
    l.add(panel("timeseries", "AI cost per day", [prom(f"sum(increase(ai_tenant_cost_usd_total{{{sel}}}[1d]))", "cost")],
                "currencyUSD", interval="1d",
                fieldConfig={"defaults": {"unit": "currencyUSD", "custom": {"drawStyle": "bars", "fillOpacity": 60}},
                             "overrides": []}), 12, 8)
    l.add(panel("timeseries", "Requests per hour", [prom(f"sum(rate(ai_tenant_requests_total{{{sel}}}[$__rate_interval])) * 3600", "requests")],
                "short"), 12, 8)
    # Cost by use case and model per tenant: the Prometheus families split by tenant or by model on
    # purpose (bounded series), so these come from the per-request log in InfluxDB.
    l.add(panel("timeseries", "AI cost by use case (InfluxDB)",
                [influx("SELECT sum(\"cost_usd\") FROM \"ai_request\" WHERE \"tenant\" = '$tenant' AND $timeFilter"
                        " GROUP BY time($__interval), \"use_case\" fill(0)", ds=INFLUX_SECOND)],
                "currencyUSD", ds=INFLUX_SECOND), 12, 8)
    l.add(panel("timeseries", "AI cost by model (InfluxDB)",
                [influx("SELECT sum(\"cost_usd\") FROM \"ai_request\" WHERE \"tenant\" = '$tenant' AND $timeFilter"
                        " GROUP BY time($__interval), \"model\" fill(0)", ds=INFLUX_SECOND)],
                "currencyUSD", ds=INFLUX_SECOND), 12, 8)
    l.add(panel("timeseries", "Budget breaches in the tenant's tier",
                [prom('sum by (scope) (increase(ai_budget_exceeded_total{tier="$tier"}[$__rate_interval]))', "{{scope}}")],
                "short", "Task, session and tenant budgets exceeded (the counter has no tenant label)."), 12, 8)
    l.add(panel("timeseries", "Tier: cost vs revenue per customer",
                [prom('tier:ai_cost_per_customer_usd:30d{tier="$tier"}', "cost per customer", ref="A"),
                 prom('tier:ai_revenue_per_customer_usd:month{tier="$tier"}', "revenue per customer", ref="B")],
                "currencyUSD"), 12, 8)
    variables = [
        datasource_var("prometheus"),
        datasource_var("influxdb", "influx", "InfluxDB"),
        query_var("tenant", "Tenant", {"query": "label_values(ai_tenant_cost_usd_total, tenant)", "refId": "tenant"},
                  multi=False, include_all=False),
        query_var("tier", "Tier", {"query": 'label_values(ai_tenant_info{tenant="$tenant"}, tier)', "refId": "tier"},
                  multi=False, include_all=False),
    ]
    return dashboard("ue-tenant", "AI unit economics: tenant drilldown",
                     "One customer: what they cost per day, on what, and whether they are worth it.", l, variables, ["tenant"],
                     time_from="now-30d")


def agents():
    l = Layout()
    uc = 'use_case=~"$use_case"'
    l.add(panel("stat", "Agent tasks (selected range)", [prom(f"sum(increase(ai_agent_tasks_total{{{uc}}}[$__range]))", instant=True)],
                "short"), 8, 4)
    l.add(panel("stat", "Mean cost per task (selected range)",
                [prom(f"sum(increase(ai_agent_task_cost_usd_sum{{{uc}}}[$__range])) / sum(increase(ai_agent_task_cost_usd_count{{{uc}}}[$__range]))",
                      instant=True)], "currencyUSD"), 8, 4)
    l.add(panel("stat", "Budget breaches (selected range)",
                [prom(f"sum(increase(ai_budget_exceeded_total{{{uc}}}[$__range]))", instant=True)], "short",
                fieldConfig={"defaults": {"unit": "short", "thresholds": thresholds((None, "green"), (1, "red"))}, "overrides": []}), 8, 4)
    l.add(panel("heatmap", "Cost per task distribution",
                [prom(f"sum by (le) (increase(ai_agent_task_cost_usd_bucket{{{uc}}}[$__rate_interval]))", "{{le}}", fmt="heatmap")],
                "currencyUSD", options={"calculate": False, "yAxis": {"unit": "currencyUSD"}, "cellGap": 1}), 12, 8)
    l.add(panel("timeseries", "Cost per task: p50 / p90 / p99",
                [prom(f"histogram_quantile({q}, sum by (le) (rate(ai_agent_task_cost_usd_bucket{{{uc}}}[$__rate_interval])))",
                      f"p{int(q * 100)}", ref=r) for q, r in ((0.5, "A"), (0.9, "B"), (0.99, "C"))],
                "currencyUSD"), 12, 8)
    l.add(panel("timeseries", "Agent multiplier vs single-shot per use case (1 day)",
                [prom(f"use_case:ai_agent_cost_multiplier:ratio{{{uc}}}", "{{use_case}}")], "suffix:x",
                "Mean agent-task cost / mean single-shot completion cost. AIAgentCostMultiplierHigh fires at 5x.",
                fieldConfig={"defaults": {"unit": "suffix:x", "thresholds": thresholds((None, "green"), (5, "red")),
                                          "custom": {"thresholdsStyle": {"mode": "line"}}}, "overrides": []}), 12, 8)
    l.add(panel("timeseries", "Mean cost: agent task vs single shot",
                [prom(f"sum by (use_case) (rate(ai_agent_task_cost_usd_sum{{{uc}}}[$__rate_interval]))"
                      f" / sum by (use_case) (rate(ai_agent_task_cost_usd_count{{{uc}}}[$__rate_interval]))", "agent {{use_case}}", ref="A"),
                 prom(f"sum by (use_case) (rate(ai_single_shot_cost_usd_sum{{{uc}}}[$__rate_interval]))"
                      f" / sum by (use_case) (rate(ai_single_shot_cost_usd_count{{{uc}}}[$__rate_interval]))", "single shot {{use_case}}", ref="B")],
                "currencyUSD"), 12, 8)
    l.add(panel("timeseries", "Model calls per task (mean, p90)",
                [prom(f"sum by (use_case) (rate(ai_agent_task_model_calls_sum{{{uc}}}[$__rate_interval]))"
                      f" / sum by (use_case) (rate(ai_agent_task_model_calls_count{{{uc}}}[$__rate_interval]))", "mean {{use_case}}", ref="A"),
                 prom(f"histogram_quantile(0.9, sum by (use_case, le) (rate(ai_agent_task_model_calls_bucket{{{uc}}}[$__rate_interval])))",
                      "p90 {{use_case}}", ref="B")],
                "short"), 12, 8)
    l.add(panel("timeseries", "Tokens per task (mean)",
                [prom(f"sum by (use_case) (rate(ai_agent_task_tokens_sum{{{uc}}}[$__rate_interval]))"
                      f" / sum by (use_case) (rate(ai_agent_task_tokens_count{{{uc}}}[$__rate_interval]))", "{{use_case}}")],
                "short"), 12, 8)
    l.add(panel("timeseries", "Tasks by outcome",
                [prom(f"sum by (outcome) (rate(ai_agent_tasks_total{{{uc}}}[$__rate_interval])) * 3600", "{{outcome}}")],
                "short", "Tasks per hour: ok, error, budget_exceeded."), 12, 8)
    l.add(panel("timeseries", "Budget breaches by scope",
                [prom(f"sum by (scope, use_case) (increase(ai_budget_exceeded_total{{{uc}}}[$__rate_interval]))", "{{scope}} {{use_case}}")],
                "short"), 12, 8)
    variables = [datasource_var("prometheus"),
                 query_var("use_case", "Use case", {"query": "label_values(ai_agent_tasks_total, use_case)", "refId": "use_case"})]
    return dashboard("ue-agents", "AI unit economics: agent tasks",
                     "Agents multiply cost: cost, calls and tokens per task against a single-shot completion.", l, variables, ["agents"])


def models():
    l = Layout()
    m = 'model=~"$model"'
    l.add(panel("table", "Spend, tokens and requests by model (selected range)",
                [prom(f"sum by (provider, model) (increase(ai_cost_usd_total{{{m}}}[$__range]))", instant=True, fmt="table", ref="A"),
                 prom(f"sum by (provider, model) (increase(ai_tokens_total{{{m}}}[$__range]))", instant=True, fmt="table", ref="B"),
                 prom(f"sum by (provider, model) (increase(ai_requests_total{{{m}}}[$__range]))", instant=True, fmt="table", ref="C")],
                "currencyUSD",
                transformations=[{"id": "merge", "options": {}},
                                 {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {
                                     "Value #A": "Spend", "Value #B": "Tokens", "Value #C": "Requests"}}}],
                fieldConfig={"defaults": {"unit": "currencyUSD"}, "overrides": [
                    {"matcher": {"id": "byName", "options": "Tokens"}, "properties": [{"id": "unit", "value": "short"}]},
                    {"matcher": {"id": "byName", "options": "Requests"}, "properties": [{"id": "unit", "value": "short"}]}]}), 24, 8)
    l.add(panel("timeseries", "Spend per hour by model",
                [prom(f"sum by (provider, model) (rate(ai_cost_usd_total{{{m}}}[$__rate_interval])) * 3600", "{{provider}}/{{model}}")],
                "currencyUSD"), 12, 8)
    l.add(panel("timeseries", "Tokens per second by model and token type",
                [prom(f"sum by (model, token_type) (rate(ai_tokens_total{{{m}}}[$__rate_interval]))", "{{model}} {{token_type}}")],
                "short"), 12, 8)
    l.add(panel("timeseries", "Requests per second by model and cache",
                [prom(f"sum by (model, cache) (rate(ai_requests_total{{{m}}}[$__rate_interval]))", "{{model}} {{cache}}")],
                "short"), 12, 8)
    l.add(panel("timeseries", "Unpriced calls by model",
                [prom("sum by (provider, model) (increase(ai_unpriced_requests_total[$__rate_interval]))", "{{provider}}/{{model}}")],
                "short", "Calls with no catalog price: their cost is missing everywhere. AIUnpricedModelCalls."), 12, 8)
    l.add(panel("table", "Per-call prices (USD per call)",
                [prom("max by (provider, model) (ai_model_price_usd_per_call)", instant=True, fmt="table")],
                "currencyUSD", "Rerank, vector search and paid tools are priced per call, not per token.",
                transformations=[{"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {"Value": "USD per call"}}}]),
          24, 6)
    l.add(panel("table", "Catalog prices (USD per million tokens)",
                [prom(f"max by (provider, model, token_type) (ai_model_price_usd_per_million_tokens{{{m}}})", instant=True, fmt="table")],
                "currencyUSD",
                transformations=[{"id": "groupingToMatrix", "options": {"columnField": "token_type", "rowField": "model",
                                                                         "valueField": "Value"}}]), 24, 8)
    variables = [datasource_var("prometheus"),
                 query_var("model", "Model", {"query": "label_values(ai_cost_usd_total, model)", "refId": "model"})]
    return dashboard("ue-models", "AI unit economics: models and prices",
                     "Spend and tokens per model and token type, catalog prices and unpriced calls.", l, variables, ["models"])


def requests():
    l = Layout()
    where = "\"tenant\" =~ /^$tenant$/ AND \"use_case\" =~ /^$use_case$/ AND \"model\" =~ /^$model$/ AND $timeFilter"
    l.add(panel("stat", "Cost (selected range)", [influx(f"SELECT sum(\"cost_usd\") FROM \"ai_request\" WHERE {where}")],
                "currencyUSD", ds=INFLUX_VAR), 8, 4)
    l.add(panel("stat", "Requests (selected range)", [influx(f"SELECT count(\"cost_usd\") FROM \"ai_request\" WHERE {where}")],
                "short", ds=INFLUX_VAR), 8, 4)
    l.add(panel("stat", "p95 latency", [influx(f"SELECT percentile(\"latency_ms\", 95) FROM \"ai_request\" WHERE {where}")],
                "ms", ds=INFLUX_VAR), 8, 4)
    l.add(panel("timeseries", "Cost by use case",
                [influx(f"SELECT sum(\"cost_usd\") FROM \"ai_request\" WHERE {where} GROUP BY time($__interval), \"use_case\" fill(0)")],
                "currencyUSD", ds=INFLUX_VAR), 12, 8)
    l.add(panel("timeseries", "Tokens by kind",
                [influx(f"SELECT sum(\"input_tokens\") AS \"input\", sum(\"cache_read_tokens\") AS \"cache_read\","
                        f" sum(\"cache_write_tokens\") AS \"cache_write\", sum(\"output_tokens\") AS \"output\","
                        f" sum(\"reasoning_tokens\") AS \"reasoning\" FROM \"ai_request\" WHERE {where} GROUP BY time($__interval) fill(0)")],
                "short", ds=INFLUX_VAR), 12, 8)
    l.add(panel("timeseries", "p95 latency by model",
                [influx(f"SELECT percentile(\"latency_ms\", 95) FROM \"ai_request\" WHERE {where} GROUP BY time($__interval), \"model\"")],
                "ms", ds=INFLUX_VAR), 12, 8)
    l.add(panel("timeseries", "Requests by cache",
                [influx(f"SELECT count(\"cost_usd\") FROM \"ai_request\" WHERE {where} GROUP BY time($__interval), \"cache\" fill(0)")],
                "short", ds=INFLUX_VAR), 12, 8)
    l.add(panel("table", "Latest requests",
                [influx("SELECT \"tenant\", \"tier\", \"provider\", \"model\", \"operation\", \"use_case\", \"cache\","
                        " \"input_tokens\", \"cache_read_tokens\", \"cache_write_tokens\", \"output_tokens\", \"reasoning_tokens\","
                        " \"cost_usd\", \"cost_source\", \"latency_ms\", \"request_id\", \"trace_id\""
                        f" FROM \"ai_request\" WHERE {where} ORDER BY time DESC LIMIT 200", fmt="table")],
                "short", "One row per priced call; trace_id links to the trace.", ds=INFLUX_VAR,
                fieldConfig={"defaults": {"unit": "short"}, "overrides": [
                    {"matcher": {"id": "byName", "options": "cost_usd"}, "properties": [{"id": "unit", "value": "currencyUSD"},
                                                                                        {"id": "decimals", "value": 6}]},
                    {"matcher": {"id": "byName", "options": "latency_ms"}, "properties": [{"id": "unit", "value": "ms"}]}]}), 24, 12)
    influx_var = lambda name, label, key: query_var(
        name, label, f"SHOW TAG VALUES FROM \"ai_request\" WITH KEY = \"{key}\"", ds=INFLUX_VAR) | {"allValue": ".*"}
    variables = [datasource_var("influxdb"),
                 influx_var("tenant", "Tenant", "tenant"),
                 influx_var("use_case", "Use case", "use_case"),
                 influx_var("model", "Model", "model")]
    return dashboard("ue-requests", "AI unit economics: per-request explorer",
                     "Every priced call from the InfluxDB event log (measurement ai_request).", l, variables, ["influxdb"],
                     time_from="now-6h")


def main():
    for name, board in (("overview", overview()), ("tenant-drilldown", tenant()), ("agent-tasks", agents()),
                        ("models-and-prices", models()), ("request-explorer", requests())):
        with open(os.path.join(HERE, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(board, f, indent=2, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
