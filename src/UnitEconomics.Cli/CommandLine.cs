using System.Globalization;

namespace UnitEconomics.Cli;

/// <summary>Thrown for a command line that cannot be understood; the message says what to type instead.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>A small option parser: <c>--name value</c>, <c>--flag</c>, and positional words.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public CommandLine(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                this.Positional.Add(a);
                continue;
            }

            var eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                this.options[a[2..eq]] = a[(eq + 1)..];
            }
            else if (flags.Contains(a[2..]))
            {
                this.options[a[2..]] = null;
            }
            else if (i + 1 < list.Count)
            {
                this.options[a[2..]] = list[++i];
            }
            else
            {
                throw new UsageException($"option {a} needs a value");
            }
        }
    }

    public List<string> Positional { get; } = [];

    public bool Flag(string name)
    {
        this.used.Add(name);
        return this.options.ContainsKey(name);
    }

    public string? String(string name)
    {
        this.used.Add(name);
        return this.options.GetValueOrDefault(name);
    }

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        var text = this.String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            throw new UsageException($"--{name} takes a whole number{(min > int.MinValue ? $" of at least {min}" : string.Empty)}, not '{text}'");
        }

        return value;
    }

    public double Double(string name, double fallback)
    {
        var text = this.String(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} takes a positive number, not '{text}'");
    }

    public DateTime? Date(string name)
    {
        var text = this.String(name);
        if (text is null)
        {
            return null;
        }

        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new UsageException($"--{name} takes a date such as 2026-10-01 or 2026-10-01T12:00:00Z, not '{text}'");
    }

    /// <summary>A duration such as 30d, 12h, 90m or 45s.</summary>
    public TimeSpan? Duration(string name)
    {
        var text = this.String(name);
        if (text is null)
        {
            return null;
        }

        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd': return TimeSpan.FromDays(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 's': return TimeSpan.FromSeconds(n);
            }
        }

        throw new UsageException($"--{name} takes a duration such as 30d, 12h, 90m or 45s, not '{text}'");
    }

    /// <summary>Fails on options the command does not know, so a typo is not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = this.options.Keys.Where(k => !this.used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException("unknown option " + string.Join(", ", unknown.Select(u => "--" + u)));
        }
    }
}
