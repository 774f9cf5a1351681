using System.CommandLine;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og status id</c>: one job in detail.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContext ctx)
    {
        var id = CommonOptions.JobId();
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("status",
            "Show a job in detail.")
        {
            id, json, coordinator,
        };
        CommandHelp.Describe(command,
            "Show a job: its state, provider, exit code and reason, every attempt (provider, epoch, times, usage) " +
            "and its output files.");
        CommandHelp.Examples(command,
            "og status 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b",
            "og status 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b --json | jq .state");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var job = await client.GetJobAsync(parseResult.GetValue(id)!, ct);
            if (parseResult.GetValue(json))
                JsonOutput.Write(ctx.Stdout, job, OpenGridJsonContext.Default.JobView);
            else
                JobPrinter.WriteDetail(ctx.Stdout, job);
            return ExitCodes.Ok;
        });
        return command;
    }
}
