namespace UnitEconomics.Cli.Commands;

/// <summary>A progress bar on standard error, redrawn in place.</summary>
internal sealed class ProgressBar(TextWriter output, bool enabled)
{
    public void Update(int done, int total)
    {
        if (!enabled)
        {
            return;
        }

        const int width = 30;
        var filled = (int)Math.Round(width * (double)done / total);
        output.Write($"\rsimulating [{new string('#', filled)}{new string('.', width - filled)}] day {done}/{total}");
    }

    public void Done(string summary)
    {
        if (enabled)
        {
            output.WriteLine();
            output.WriteLine(summary);
            output.WriteLine();
        }
    }
}
