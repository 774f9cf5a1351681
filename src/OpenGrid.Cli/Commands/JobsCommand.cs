using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og jobs [--state S]</c>: the account's jobs, newest first.</summary>
internal static class JobsCommand
{
    public static Command Create(CliContext ctx)
    {
        var state = new Option<string?>("--state")
        {
            Description = $"Only jobs in this state: {string.Join(", ", JobStates.All)}.",
            HelpName = "STATE",
        };
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("jobs", "List your jobs.")
        {
            state, json, coordinator,
        };
        CommandHelp.Describe(command,
            "List your jobs, newest first: id, name, state, exit code, provider and creation time. Only jobs submitted " +
            "with your account key ($OPENGRID_HOME, default ~/.opengrid) are shown.");
        CommandHelp.Examples(command,
            "og jobs",
            "og jobs --state running",
            "og jobs --json | jq -r '.jobs[].id'");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var filter = parseResult.GetValue(state);
            if (filter is not null && !JobStates.All.Contains(filter))
                throw CliException.InvalidInput($"--state: '{filter}' is not a job state; use one of {string.Join(", ", JobStates.All)}");
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var list = await client.ListJobsAsync(filter, ct);
            if (parseResult.GetValue(json))
                JsonOutput.Write(ctx.Stdout, list, OpenGridJsonContext.Default.JobListView);
            else if (list.Jobs.Count == 0)
                ctx.Stdout.WriteLine(filter is null ? "no jobs yet: submit one with og submit job.yaml" : $"no {filter} jobs");
            else
                JobPrinter.WriteTable(ctx.Stdout, list.Jobs);
            return ExitCodes.Ok;
        });
        return command;
    }
}
