using System.Text.RegularExpressions;

namespace UnitEconomics.Otel.Pricing;

/// <summary>
/// The other spellings a model name is looked up under: without a <c>provider/</c> path, and without a
/// version suffix (a date such as <c>-2024-08-06</c>, <c>-20241022</c>, <c>@20241022</c>, <c>-0613</c>,
/// <c>-03-2025</c>, a Bedrock <c>-v2:0</c>, or <c>-latest</c>). Run once per distinct name; the resolver
/// caches the outcome.
/// </summary>
internal static partial class ModelNames
{
    /// <summary>Lookup stages, in precedence order.</summary>
    public const int StageExact = 0, StagePath = 1, StageVersion = 2, StagePrefix = 3, StageRegex = 4;

    /// <summary>Every suffix after a '/': <c>a/b/c</c> gives <c>b/c</c> and <c>c</c>.</summary>
    public static string[] BareNames(string name)
    {
        var names = new List<string>();
        for (var i = name.IndexOf('/', StringComparison.Ordinal); i >= 0 && i < name.Length - 1; i = name.IndexOf('/', i + 1))
        {
            names.Add(name[(i + 1)..]);
        }

        return [.. names];
    }

    /// <summary>
    /// The names to look up for <paramref name="model"/>, each with its stage: the name itself, its
    /// path-stripped forms, then the version-stripped forms of all of those (nearest first).
    /// </summary>
    public static List<(string Name, int Stage)> Forms(string model)
    {
        var forms = new List<(string, int)> { (model, StageExact) };
        foreach (var bare in BareNames(model))
        {
            forms.Add((bare, StagePath));
        }

        var count = forms.Count;
        for (var i = 0; i < count; i++)
        {
            var name = forms[i].Item1;
            while (StripVersion(name) is { } shorter)
            {
                if (!forms.Exists(f => string.Equals(f.Item1, shorter, StringComparison.OrdinalIgnoreCase)))
                {
                    forms.Add((shorter, StageVersion));
                }

                name = shorter;
            }
        }

        return forms;
    }

    /// <summary>The provider named by the first path segment (<c>azure/gpt-4o</c> → <c>azure.ai.openai</c>).</summary>
    public static string? ProviderHint(string model)
    {
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? ProviderNames.FromPrefix(model.AsSpan(0, slash)) : null;
    }

    /// <summary>The name without its last version suffix, or null when it has none.</summary>
    public static string? StripVersion(string name)
    {
        var m = VersionSuffix().Match(name);
        if (!m.Success || m.Index == 0)
        {
            return null;
        }

        // Four digits only when they read as MMDD ("gpt-4-0613") or YYMM ("mistral-large-2411"), not "model-7000".
        if (m.Groups["four"].Success)
        {
            var digits = m.Groups["four"].ValueSpan;
            var hi = ((digits[0] - '0') * 10) + (digits[1] - '0');
            var lo = ((digits[2] - '0') * 10) + (digits[3] - '0');
            var monthDay = hi is >= 1 and <= 12 && lo is >= 1 and <= 31;
            var yearMonth = hi is >= 20 and <= 39 && lo is >= 1 and <= 12;
            if (!monthDay && !yearMonth)
            {
                return null;
            }
        }

        return name[..m.Index];
    }

    [GeneratedRegex(
        @"(?:[-@]\d{4}-\d{2}-\d{2}|[-@]\d{8}|-\d{2}-\d{4}|-(?<four>\d{4})|-v\d+(?::\d+)?|-latest)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex VersionSuffix();
}
