using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Commands;

/// <summary><c>og submit job.yaml [-f]</c>: validate, upload local inputs, submit, and optionally follow the logs.</summary>
internal static class SubmitCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("job.yaml") { Description = "The job spec file. `from:` inputs are read relative to its folder." };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Stream the job's logs until it ends and exit with its status (Ctrl-C stops following, not the job).",
        };
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("submit",
            "Submit a job spec to the grid, optionally following its logs.")
        {
            file, follow, json, coordinator,
        };
        CommandHelp.Describe(command,
            "Run a job on the grid: checks the spec, uploads the files its inputs take `from:` your disk (with " +
            "progress), submits it and prints the job id. With --follow, prints its output as it runs and exits with " +
            "the job's status: succeeded 0, failed its exit code (1 if none), timed out 124, cancelled 130.");
        CommandHelp.Examples(command,
            "og submit examples/hello/job.yaml            # prints the job id",
            "og submit examples/hello/job.yaml --follow   # streams its logs, exits with its status",
            "id=$(og submit job.yaml) && og status $id");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var spec = SpecFile.Load(ctx.Env, parseResult.GetValue(file)!);
            spec.LocalInputs(); // a missing input file is an error before anything is uploaded
            var asJson = parseResult.GetValue(json);
            var following = parseResult.GetValue(follow);
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            var job = await JobSubmitter.SubmitAsync(ctx, client, spec, ct);
            if (asJson)
                JsonOutput.Write(ctx.Stdout, job, OpenGridJsonContext.Default.JobView);
            else if (following)
                ctx.Stderr.WriteLine($"submitted job {job.Id} ({job.Name}); following its logs (Ctrl-C stops following, the job keeps running)");
            else
            {
                ctx.Stdout.WriteLine(job.Id);
                ctx.Stderr.WriteLine($"submitted job {job.Id} ({job.Name}); watch it with: og logs {job.Id} -f");
            }
            return following ? await JobFollow.RunAsync(ctx, client, job.Id, follow: true, asJson, ct) : ExitCodes.Ok;
        });
        return command;
    }
}
