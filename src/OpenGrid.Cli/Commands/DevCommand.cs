using System.CommandLine;
using OpenGrid.Cli.Grid;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og dev</c>: a whole grid on this machine — coordinator and two providers — for trying OpenGrid out.</summary>
internal static class DevCommand
{
    public static Command Create(CliContext ctx)
    {
        var data = new Option<string>("--data")
        {
            Description = "Folder for the grid's data and logs.",
            HelpName = "DIR",
            DefaultValueFactory = _ => DevGridPaths.DefaultDataDir,
        };
        var port = new Option<int>("--port")
        {
            Description = "Coordinator port on 127.0.0.1. Default: a free port.",
            HelpName = "N",
        };
        var noExample = new Option<bool>("--no-example") { Description = "Do not run examples/hello once the grid is up." };
        var command = new Command("dev",
            "Start a local grid (coordinator + two providers + a dev chain) and run examples/hello through it.")
        {
            data, port, noExample,
        };
        CommandHelp.Describe(command,
            "Start a local grid: a coordinator and two provider agents as separate processes on 127.0.0.1, with their " +
            "data and logs under one folder (coordinator.log, provider-N.log). Runs examples/hello through it (its " +
            "logs, then its output file), prints the URLs, and keeps running until Ctrl-C, which stops everything it " +
            "started. With anvil installed (cd contracts && npm ci; ./og does it) payments are on: a local chain with " +
            "the escrow contracts (state under <data>/chain, kept across restarts), your account and the coordinator's " +
            "canary accounts funded with test USDC and both providers bonded; the example is paid for and og dev " +
            "prints both sides' balances. " +
            "Other og commands in this folder or with the same $OPENGRID_HOME find the grid without flags. " +
            "Exits 6 if a grid already runs on the same data folder, 1 if one of its processes dies.");
        CommandHelp.Examples(command,
            "og dev                               # then, in another terminal: og submit examples/hello/job.yaml -f",
            "og dev --data /tmp/grid --port 5080 --no-example");
        CommandAction.Set(command, ctx, (parseResult, ct) =>
        {
            var chosenPort = parseResult.GetValue(port);
            if (chosenPort is < 0 or > 65535)
                throw CliException.InvalidInput($"--port: {chosenPort} is not a TCP port (1-65535, or 0 for a free one)");
            var options = new DevGridOptions(ctx.Env.FullPath(parseResult.GetValue(data)!), chosenPort, !parseResult.GetValue(noExample));
            return DevGrid.RunAsync(ctx, options, ct);
        });
        return command;
    }
}
