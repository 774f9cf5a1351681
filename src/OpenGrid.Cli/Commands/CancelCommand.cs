using System.CommandLine;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og cancel id</c>: stop a job that has not ended.</summary>
internal static class CancelCommand
{
    public static Command Create(CliContext ctx)
    {
        var id = CommonOptions.JobId();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("cancel",
            "Cancel a job that has not ended.")
        {
            id, coordinator,
        };
        CommandHelp.Describe(command,
            "Cancel a job that has not ended: a queued job never runs, a running one is killed with its whole process " +
            "tree. A job that already ended cannot be cancelled (exit 6). Cancelling a job you are following makes " +
            "`og submit --follow` / `og logs -f` exit 130.");
        CommandHelp.Examples(command, "og cancel 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var job = await client.CancelAsync(parseResult.GetValue(id)!, ct);
            ctx.Stdout.WriteLine($"job {job.Id}: {job.State}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
