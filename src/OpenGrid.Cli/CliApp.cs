using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using OpenGrid.Cli.Commands;

namespace OpenGrid.Cli;

/// <summary>The og command tree, and one run of it with explicit output writers and environment (tests run it in-process).</summary>
internal static class CliApp
{
    public static Command BuildRoot(CliContext ctx)
    {
        var root = new Command("og",
            "OpenGrid: run AI jobs (inference, training, rendering, any command) on other people's spare CPUs and GPUs, " +
            "or offer yours. Describe a job in a YAML file, submit it, follow its logs, get its outputs back " +
            "content-addressed and verified. Start with `og dev`.")
        {
            new HelpOption(),
            new VersionOption(),
            DevCommand.Create(ctx),
            SubmitCommand.Create(ctx),
            StatusCommand.Create(ctx),
            JobsCommand.Create(ctx),
            LogsCommand.Create(ctx),
            GetCommand.Create(ctx),
            CancelCommand.Create(ctx),
            ProvidersCommand.Create(ctx),
            PlanCommand.Create(ctx),
            MarketCommand.Create(ctx),
            ValidateCommand.Create(ctx),
            VerifyCommand.Create(ctx),
            ProviderCommand.Create(ctx),
            BalanceCommand.Create(ctx),
            DepositCommand.Create(ctx),
            WithdrawCommand.Create(ctx),
            EarningsCommand.Create(ctx),
        };
        var help = CommandHelp.Install(root);
        root.SetAction(parseResult => help.Invoke(parseResult));
        CommandHelp.Examples(root,
            "og dev                                      # start a local grid and run examples/hello through it",
            "og submit examples/hello/job.yaml --follow  # run a job, print its logs as it runs",
            "og jobs                                     # your jobs",
            "og get <id> -o results                      # download its outputs, checked against their CIDs",
            "og balance                                  # your escrow and earnings (og deposit, og withdraw)",
            "og <command> --help                         # more about a command",
            "",
            "Exit codes: 0 ok, 1 job failed or other failure, 2 invalid input, 3 not found, 4 auth, 5 coordinator",
            "unreachable, 6 conflict, 7 integrity failure, 8 not enough in escrow, 124 job timed out, 130 cancelled",
            "or interrupted.");
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment env, CancellationToken ct)
    {
        using var ctx = new CliContext(stdout, stderr, env);
        var root = BuildRoot(ctx);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            foreach (var error in parseResult.Errors)
                ctx.Error(error.Message);
            ctx.Error($"see '{CommandPath(parseResult.CommandResult.Command)} --help'");
            return ExitCodes.InvalidInput;
        }
        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Program handles SIGINT/SIGTERM itself and cancels ct; commands decide what stopping means.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        return await parseResult.InvokeAsync(invocation, ct);
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string> { command.Name };
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            names.Insert(0, parent.Name);
        return string.Join(' ', names);
    }
}
