using System.CommandLine;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Commands;

/// <summary>
/// <c>og submit job.yaml [-f] [-o DIR]</c>: validate, upload local inputs, submit (one job per frame for a spec with
/// <c>split</c>), optionally follow until the end and gather the outputs.
/// </summary>
internal static class SubmitCommand
{
    public static Command Create(CliContext ctx)
    {
        var file = new Argument<string>("job.yaml") { Description = "The job spec file. `from:` inputs are read relative to its folder." };
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Stream the job's logs until it ends and exit with its status (Ctrl-C stops following, not the job). " +
                "For a split, wait for every frame's job and print how each ended.",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "With --follow: when the job (every job of a split) has ended, download its outputs into this folder, each checked against its CID.",
            HelpName = "DIR",
        };
        var json = CommonOptions.Json();
        var coordinator = CommonOptions.Coordinator();
        var command = new Command("submit",
            "Submit a job spec to the grid, optionally following its logs.")
        {
            file, follow, output, json, coordinator,
        };
        CommandHelp.Describe(command,
            "Run a job on the grid: checks the spec, uploads the files its inputs take `from:` your disk (with " +
            "progress), submits it and prints the job id. With --follow, prints its output as it runs and exits with " +
            "the job's status: succeeded 0, failed its exit code (1 if none), timed out 124, cancelled 130. A spec " +
            "with `split: { frames: \"1-8\" }` becomes one job per frame, each with FRAME set; og prints one id per line, " +
            "and with --follow waits for all of them and exits with the status of the first that did not succeed.");
        CommandHelp.Examples(command,
            "og submit examples/hello/job.yaml            # prints the job id",
            "og submit examples/hello/job.yaml --follow   # streams its logs, exits with its status",
            "og submit examples/blender-render/job.yaml -f -o frames/   # one job per frame, PNGs gathered in frames/",
            "id=$(og submit job.yaml) && og status $id");
        CommandAction.Set(command, ctx, async (parseResult, ct) =>
        {
            var spec = SpecFile.Load(ctx.Env, parseResult.GetValue(file)!);
            spec.LocalInputs(); // a missing input file is an error before anything is uploaded
            var asJson = parseResult.GetValue(json);
            var following = parseResult.GetValue(follow);
            var outputDir = parseResult.GetValue(output) is { } dir ? ctx.Env.FullPath(dir) : null;
            if (outputDir is not null && !following)
                throw CliException.InvalidInput("--output needs --follow: outputs exist once the job has ended (or fetch them later with: og get <id> -o DIR)");
            var client = ctx.Connect(parseResult.GetValue(coordinator));
            if (spec.Spec.Split is not null)
                return await SubmitFramesAsync(ctx, client, spec, following, outputDir, asJson, ct);

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
            if (!following)
                return ExitCodes.Ok;
            var code = await JobFollow.RunAsync(ctx, client, job.Id, follow: true, asJson, ct);
            if (outputDir is not null && code != ExitCodes.Interrupted)
                await GatherAsync(ctx, client, [new SubmittedJob(0, job)], outputDir, ct);
            return code;
        });
        return command;
    }

    private static async Task<int> SubmitFramesAsync(
        CliContext ctx, OpenGridClient client, SpecFile spec, bool following, string? outputDir, bool asJson, CancellationToken ct)
    {
        var jobs = await JobSubmitter.SubmitFramesAsync(ctx, client, spec, ct);
        foreach (var submitted in jobs)
        {
            if (asJson)
                JsonOutput.Write(ctx.Stdout, submitted.Job, OpenGridJsonContext.Default.JobView);
            else
                ctx.Stdout.WriteLine(submitted.Job.Id);
        }
        ctx.Stderr.WriteLine($"submitted {jobs.Count} jobs of {spec.Spec.Name}, one per frame ({spec.Spec.Split!.Format()})" +
            (following ? "; waiting for all of them (Ctrl-C stops waiting, the jobs keep running)" : "; watch them with: og jobs"));
        if (!following)
            return ExitCodes.Ok;
        var code = await JobsWait.RunAsync(ctx, client, jobs, ct);
        if (outputDir is not null && code != ExitCodes.Interrupted)
            await GatherAsync(ctx, client, jobs, outputDir, ct);
        return code;
    }

    private static async Task GatherAsync(CliContext ctx, OpenGridClient client, IReadOnlyList<SubmittedJob> jobs, string folder, CancellationToken ct)
    {
        var files = await OutputGather.DownloadAsync(ctx, client, jobs, folder, ct);
        ctx.Stderr.WriteLine($"downloaded {files.Count} output file(s) into {Formats.DisplayPath(folder, ctx.Env.CurrentDirectory)}");
    }
}
