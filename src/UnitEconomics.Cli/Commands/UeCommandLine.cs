using System.CommandLine;

namespace UnitEconomics.Cli.Commands;

/// <summary>
/// The <c>ue</c> command tree and its exit codes: 0 done, 1 the work failed (a bad file, an unreachable
/// server; one line on standard error), 2 the command line is wrong (one line naming the option, and
/// where to find help). <c>--help</c> works on every command.
/// </summary>
public static class UeCommandLine
{
    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("ue — unit economics of an AI product from its OpenTelemetry GenAI spans");
        root.Subcommands.Add(DemoCommand.Build(stdout, stderr));
        root.Subcommands.Add(ReportCommand.Build(stdout));
        root.Subcommands.Add(CatalogCommand.Build(stdout));
        root.Subcommands.Add(Focus.ExportFocusCommand.Build(stdout));
        root.Subcommands.Add(TenantsCommand.Build(stdout, stderr));
        root.Subcommands.Add(ReconcileCommand.Build(stdout));
        return root;
    }

    /// <summary>Parses and runs; parse errors and <see cref="UsageException"/> are exit 2, never a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        var root = Build(stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine("ue: " + error.Message);
            }

            stderr.WriteLine(HelpHint(parse.CommandResult.Command, root));
            return 2;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancel);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine("ue: " + ex.Message);
            stderr.WriteLine(HelpHint(parse.CommandResult.Command, root));
            return 2;
        }
    }

    private static string HelpHint(Command command, RootCommand root)
    {
        var path = string.Join(' ', Path(command, root));
        return $"Run 'ue {(path.Length > 0 ? path + " " : string.Empty)}--help' for usage.";
    }

    private static IEnumerable<string> Path(Command command, RootCommand root)
    {
        var names = new Stack<string>();
        for (Symbol? s = command; s is Command c && c != root; s = c.Parents.FirstOrDefault())
        {
            names.Push(c.Name);
        }

        return names;
    }
}
