using System.CommandLine;
using OpenGrid.Cli.Jobs;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og logs id [-f]</c>: a job's output so far, or followed live.</summary>
internal static class LogsCommand
{
    public static Command Create(CliContext ctx)
    {
        var id = CommonOptions.JobId();
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep streaming until the job ends, then exit with its status (succeeded 0, failed its exit code, timed out 124, cancelled 130).",
        };
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("logs",
            "Print a job's logs, or follow them live with -f.")
        {
            id, follow, json, coordinator,
        };
        CommandHelp.Describe(command,
            "Print a job's output so far: its stdout to stdout and its stderr to stderr. With -f, keep printing as it " +
            "runs and exit with the job's status once it ends. With --json, one log chunk {seq, attempt, stream, " +
            "text, at} per line.");
        CommandHelp.Examples(command,
            "og logs 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b",
            "og logs 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b -f   # follow until the job ends",
            "og logs 0197a5c2e4b07d3f8a1b2c3d4e5f6a7b --json | jq -r .text");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            return await JobFollow.RunAsync(ctx, client, parseResult.GetValue(id)!, parseResult.GetValue(follow), parseResult.GetValue(json), ct);
        });
        return command;
    }
}
