using System.CommandLine;
using System.Globalization;
using UnitEconomics.Otel.Pricing;

namespace UnitEconomics.Cli.Commands;

/// <summary><c>ue catalog check|price</c>: validate price files, and show what a model name resolves to.</summary>
internal static class CatalogCommand
{
    public static Command Build(TextWriter stdout)
    {
        var command = new Command("catalog", "Price catalog tools");
        command.Subcommands.Add(Check(stdout));
        command.Subcommands.Add(Price(stdout));
        return command;
    }

    private static Command Check(TextWriter stdout)
    {
        var files = new Argument<string[]>("FILE") { Description = "Catalog files, layered in this order", Arity = ArgumentArity.OneOrMore };
        var command = new Command("check", "Load catalog files and say what each contributed and skipped") { files };
        command.SetAction(parse =>
        {
            var catalog = PriceCatalog.Load(parse.GetValue(files)!);
            foreach (var file in catalog.Report.Files)
            {
                stdout.WriteLine($"{file.File}: {file.Format}, {file.Loaded} entries loaded, {file.Skipped.Count} skipped");
                foreach (var (reason, count) in file.Skipped.GroupBy(e => e.Reason, StringComparer.Ordinal).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2))
                {
                    stdout.WriteLine($"  skipped {count}: {reason}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Price(TextWriter stdout)
    {
        var model = new Argument<string>("MODEL") { Description = "A model (or tool, or vector store) name as spans carry it" };
        var provider = new Option<string?>("--provider") { Description = "The provider, as gen_ai.provider.name says it" };
        var catalogs = CommonOptions.Catalogs();
        var command = new Command("price", "Show the prices a model name resolves to today, and the file each came from") { model, provider, catalogs };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(model)!;
            var catalog = PriceCatalog.LoadDefaultAnd([.. CommonOptions.CatalogFiles(parse.GetValue(catalogs))]);
            if (!catalog.TryResolve(parse.GetValue(provider), name, DateTimeOffset.UtcNow, out var price))
            {
                stdout.WriteLine($"{name}: no price (calls to it would be counted in ai_unpriced_requests_total)");
                return 1;
            }

            Print(stdout, name, price);
            return 0;
        });
        return command;
    }

    /// <summary>Only the prices that are set; token prices in USD per million tokens, per-call prices in USD per call.</summary>
    private static void Print(TextWriter stdout, string name, ModelPrice price)
    {
        stdout.WriteLine($"{name} → entry '{price.Id}' ({price.Provider ?? "any provider"})");
        var s = price.Standard;
        var tokens = TokenPrices(s).ToList();
        if (tokens.Count > 0)
        {
            stdout.WriteLine("  USD per million tokens: " + string.Join("  ", tokens));
        }

        if (s.PerCall is { } perCall)
        {
            stdout.WriteLine($"  USD per call: {Number(perCall)}");
        }

        if (price.Batch is { } batch && TokenPrices(batch).ToList() is { Count: > 0 } batchPrices)
        {
            stdout.WriteLine("  batch, USD per million tokens: " + string.Join("  ", batchPrices));
        }

        foreach (var tier in price.Tiers)
        {
            stdout.WriteLine($"  above {tier.AboveInputTokens:N0} input tokens, USD per million tokens: " + string.Join("  ", TokenPrices(tier.Prices)));
        }

        stdout.WriteLine($"  from: {price.CatalogFile ?? "(given in code)"}");
        if (price.FieldFiles.Count > 0)
        {
            foreach (var (field, file) in price.FieldFiles)
            {
                stdout.WriteLine($"    {field} from {file}");
            }
        }

        if (price.Source is { } source)
        {
            stdout.WriteLine($"  source: {source}");
        }
    }

    private static IEnumerable<string> TokenPrices(PriceSet s)
    {
        foreach (var (label, value) in new (string, decimal?)[]
        {
            ("input", s.Input), ("cached_input", s.CachedInput), ("cache_write", s.CacheWrite), ("output", s.Output), ("reasoning", s.Reasoning),
        })
        {
            if (value is { } v)
            {
                yield return $"{label} {Number(v)}";
            }
        }
    }

    private static string Number(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);
}
