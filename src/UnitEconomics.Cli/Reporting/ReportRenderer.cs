using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace UnitEconomics.Cli.Reporting;

public enum ReportFormat
{
    Table,
    Markdown,
    Csv,
    Json,
}

/// <summary>Writes a report as a terminal table, Markdown, CSV (one section per block) or JSON.</summary>
public static class ReportRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Render(UnitEconomicsReport report, ReportFormat format) => format switch
    {
        ReportFormat.Json => JsonSerializer.Serialize(report, Json),
        ReportFormat.Csv => Csv(report),
        _ => Text(report, markdown: format == ReportFormat.Markdown),
    };

    public static UnitEconomicsReport? FromJson(string json) => JsonSerializer.Deserialize<UnitEconomicsReport>(json, Json);

    private static string Text(UnitEconomicsReport r, bool markdown)
    {
        var sb = new StringBuilder();
        var title = $"AI unit economics — {r.FromUtc:yyyy-MM-dd HH:mm} to {r.ToUtc:yyyy-MM-dd HH:mm} UTC ({r.WindowDays.ToString("0.##", Inv)} days, source: {r.Source})";
        sb.AppendLine(markdown ? "# " + title : title).AppendLine();
        sb.AppendLine(Inv, $"Total AI spend: {Usd(r.TotalCost)}").AppendLine();

        Section(sb, markdown, "Margin per tier (per customer per month)",
            ["tier", "customers", "AI cost", "AI/customer", "infra/customer", "cost/customer", "revenue/customer", "margin/customer", "margin %"],
            r.Tiers.Select(t => new[]
            {
                t.Tier, t.Customers.ToString(Inv), Usd(t.AiCost), Usd(t.AiCostPerCustomerPerMonth), Usd(t.InfraCostPerCustomerPerMonth),
                Usd(t.CostPerCustomerPerMonth), Usd(t.RevenuePerCustomerPerMonth), Usd(t.MarginPerCustomerPerMonth), t.MarginPercent is { } m ? Pct(m) : "—",
            }));
        Section(sb, markdown, "Cost per use case", ["use case", "cost", "share", "requests", "cost/request", "cache hits", "cache hit rate"],
            r.UseCases.Select(u => new[] { u.UseCase, Usd(u.Cost), Pct(u.ShareOfSpend), u.Requests.ToString("N0", Inv), Usd(u.CostPerRequest), u.CacheHits.ToString("N0", Inv), Pct(u.CacheHitRate) }));
        Section(sb, markdown, "Cost per model", ["provider", "model", "cost", "requests", "input", "cache read", "cache write", "output", "reasoning"],
            r.Models.Select(m => new[]
            {
                m.Provider, m.Model, Usd(m.Cost), m.Requests.ToString("N0", Inv), m.InputTokens.ToString("N0", Inv), m.CacheReadTokens.ToString("N0", Inv),
                m.CacheWriteTokens.ToString("N0", Inv), m.OutputTokens.ToString("N0", Inv), m.ReasoningTokens.ToString("N0", Inv),
            }));
        Section(sb, markdown, $"Top {r.TopTenants.Count} tenants by cost", ["tenant", "tier", "cost", "requests", "cost/month", "revenue/month", "AI margin/month", "engagement"],
            r.TopTenants.Select(t => new[]
            {
                t.Tenant, t.Tier, Usd(t.Cost), t.Requests.ToString("N0", Inv), Usd(t.CostPerMonth), Usd(t.RevenuePerMonth), Usd(t.AiMarginPerMonth), t.Engagement.ToString("0.##", Inv),
            }));
        Section(sb, markdown, "Agent tasks against single-shot calls", ["use case", "tasks", "cost/task", "model calls/task", "tokens/task", "single shots", "cost/single shot", "multiplier"],
            r.Agents.Select(a => new[]
            {
                a.UseCase, a.Tasks.ToString("N0", Inv), Usd(a.MeanTaskCost), a.MeanModelCalls.ToString("0.0", Inv), a.MeanTokens.ToString("N0", Inv),
                a.SingleShots.ToString("N0", Inv), Usd(a.MeanSingleShotCost), a.Multiplier is { } x ? x.ToString("0.0", Inv) + "x" : "—",
            }));
        Section(sb, markdown, $"Red flags ({r.RedFlags.Count})", ["alert", "severity", "subject", "figure"],
            r.RedFlags.Select(f => new[] { f.Alert, f.Severity, f.Subject, f.Detail }));
        Section(sb, markdown, "Savings opportunities", ["lever", "subject", "current cost", "estimated saving", "%", "how"],
            r.Savings.Select(s => new[] { s.Lever, s.Subject, Usd(s.CurrentCost), Usd(s.EstimatedSaving), Pct(s.Percent), s.How }));
        return sb.ToString();
    }

    private static void Section(StringBuilder sb, bool markdown, string title, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        sb.AppendLine(markdown ? "## " + title : title.ToUpperInvariant()).AppendLine();
        if (all.Count == 0)
        {
            sb.AppendLine("(none)").AppendLine();
            return;
        }

        if (markdown)
        {
            sb.AppendLine("| " + string.Join(" | ", header) + " |");
            sb.AppendLine("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")));
            foreach (var row in all)
            {
                sb.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
            }

            sb.AppendLine();
            return;
        }

        var widths = header.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        sb.AppendLine("  " + string.Join("  ", header.Select((h, i) => i == 0 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))));
        sb.AppendLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in all)
        {
            // Free text (the last column of flags and savings) is left-aligned; figures are right-aligned.
            sb.AppendLine("  " + string.Join("  ", row.Select((c, i) => i == 0 || i == row.Length - 1 && c.Contains(' ', StringComparison.Ordinal) ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        }

        sb.AppendLine();
    }

    private static string Csv(UnitEconomicsReport r)
    {
        var sb = new StringBuilder();
        void Block(string name, string[] header, IEnumerable<object?[]> rows)
        {
            sb.Append(name).Append(',').AppendLine(string.Join(",", header));
            foreach (var row in rows)
            {
                sb.Append(name).Append(',').AppendLine(string.Join(",", row.Select(Cell)));
            }
        }

        Block("tier", ["tier", "customers", "ai_cost_usd", "ai_cost_per_customer_month", "infra_cost_per_customer_month", "cost_per_customer_month", "revenue_per_customer_month", "margin_per_customer_month", "margin_ratio"],
            r.Tiers.Select(t => new object?[] { t.Tier, t.Customers, t.AiCost, t.AiCostPerCustomerPerMonth, t.InfraCostPerCustomerPerMonth, t.CostPerCustomerPerMonth, t.RevenuePerCustomerPerMonth, t.MarginPerCustomerPerMonth, t.MarginPercent }));
        Block("use_case", ["use_case", "cost_usd", "share", "requests", "cost_per_request", "cache_hits", "cache_hit_rate"],
            r.UseCases.Select(u => new object?[] { u.UseCase, u.Cost, u.ShareOfSpend, u.Requests, u.CostPerRequest, u.CacheHits, u.CacheHitRate }));
        Block("model", ["provider", "model", "cost_usd", "requests", "input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens"],
            r.Models.Select(m => new object?[] { m.Provider, m.Model, m.Cost, m.Requests, m.InputTokens, m.CacheReadTokens, m.CacheWriteTokens, m.OutputTokens, m.ReasoningTokens }));
        Block("tenant", ["tenant", "tier", "cost_usd", "requests", "cost_per_month", "revenue_per_month", "ai_margin_per_month", "engagement"],
            r.AllTenants.Select(t => new object?[] { t.Tenant, t.Tier, t.Cost, t.Requests, t.CostPerMonth, t.RevenuePerMonth, t.AiMarginPerMonth, t.Engagement }));
        Block("agent", ["use_case", "tasks", "mean_task_cost", "mean_model_calls", "mean_tokens", "single_shots", "mean_single_shot_cost", "multiplier"],
            r.Agents.Select(a => new object?[] { a.UseCase, a.Tasks, a.MeanTaskCost, a.MeanModelCalls, a.MeanTokens, a.SingleShots, a.MeanSingleShotCost, a.Multiplier }));
        Block("red_flag", ["alert", "severity", "subject", "value", "threshold", "detail"],
            r.RedFlags.Select(f => new object?[] { f.Alert, f.Severity, f.Subject, f.Value, f.Threshold, f.Detail }));
        Block("saving", ["lever", "subject", "current_cost_usd", "estimated_saving_usd", "percent", "how"],
            r.Savings.Select(s => new object?[] { s.Lever, s.Subject, s.CurrentCost, s.EstimatedSaving, s.Percent, s.How }));
        return sb.ToString();
    }

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => string.Empty,
            decimal d => d.ToString(Inv),
            double x => x.ToString("R", Inv),
            IFormattable f => f.ToString(null, Inv),
            _ => value.ToString() ?? string.Empty,
        };
        return text.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    private static string Usd(decimal value) => value >= 1 || value <= -1 || value == 0
        ? value.ToString("$#,##0.00;-$#,##0.00", Inv)
        : value.ToString("$0.00000;-$0.00000", Inv);

    private static string Pct(double value) => value.ToString("0.0%", Inv);
}
