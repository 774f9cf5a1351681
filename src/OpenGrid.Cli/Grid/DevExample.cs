using OpenGrid.Cli.Commands;
using OpenGrid.Cli.Jobs;
using OpenGrid.Cli.Output;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Grid;

/// <summary>
/// The first thing <c>og dev</c> does on a fresh grid: runs <c>examples/hello</c> exactly as <c>og submit --follow</c>
/// would, downloads its outputs as <c>og get</c> would into <c>&lt;data&gt;/hello-output/</c>, and prints them.
/// A failing example is reported and the grid keeps running, so its logs can be looked at. Returns the job when it
/// succeeded, else null.
/// </summary>
internal static class DevExample
{
    public const string SpecPath = "examples/hello/job.yaml";
    private const long MaxPrintedBytes = 64 * 1024;

    public static async Task<JobView?> RunAsync(CliContext ctx, OpenGridClient client, string dataDir, CancellationToken ct)
    {
        var root = DevGridPaths.RepositoryRoot(ctx.Env);
        var specPath = root is null ? null : Path.Combine(root, SpecPath);
        if (specPath is null || !File.Exists(specPath))
        {
            ctx.Error($"skipping the example: {SpecPath} not found (run og dev from the repository, or pass --no-example)");
            return null;
        }

        var shown = Formats.DisplayPath(specPath, ctx.Env.CurrentDirectory);
        ctx.Stdout.WriteLine();
        ctx.Stdout.WriteLine($"running the example: og submit {shown} --follow");
        try
        {
            var spec = SpecFile.Load(ctx.Env, shown);
            var job = await JobSubmitter.SubmitAsync(ctx, client, spec, ct);
            ctx.Stdout.WriteLine($"submitted job {job.Id} ({job.Name}); its logs:");
            var end = await LogFollower.ReadAsync(client, job.Id, follow: true, chunk => JobFollow.Write(ctx, chunk, json: false), ct);
            var outcome = end is null ? $"job {job.Id} is still running" : JobStates.Describe(job.Id, end.State, end.ExitCode, end.Reason);
            ctx.Stdout.WriteLine(outcome);
            if (end?.State != "succeeded")
            {
                ctx.Error($"the example did not succeed; the grid keeps running — see the provider logs in {dataDir}");
                return null;
            }

            var folder = Path.Combine(dataDir, "hello-output");
            ctx.Stdout.WriteLine($"fetching its outputs: og get {job.Id} -o {Formats.DisplayPath(folder, ctx.Env.CurrentDirectory)}");
            var finished = await client.GetJobAsync(job.Id, ct);
            var files = await OutputDownloader.DownloadAsync(ctx, client, finished, folder, ct);
            foreach (var file in files)
                Print(ctx, file);
            return finished;
        }
        catch (Exception e) when (e is CliException or SpecInvalidException or OpenGridApiException)
        {
            ctx.Error($"the example failed; the grid keeps running — see the logs in {dataDir}");
            switch (e)
            {
                case CliException cli:
                    CommandAction.Report(ctx, cli);
                    break;
                case SpecInvalidException spec:
                    foreach (var error in spec.Errors)
                        ctx.Stderr.WriteLine(error.ToString());
                    break;
                case OpenGridApiException api:
                    ApiErrors.Report(ctx, api);
                    break;
            }
            return null;
        }
    }

    private static void Print(CliContext ctx, DownloadedFile file)
    {
        ctx.Stdout.WriteLine($"--- {file.Output.Path} ({file.Output.Size} bytes, {file.Output.Cid}) ---");
        if (file.Output.Size > MaxPrintedBytes)
        {
            ctx.Stdout.WriteLine($"(not printed: larger than {MaxPrintedBytes} bytes; it is at {file.LocalPath})");
            return;
        }
        var text = File.ReadAllText(file.LocalPath);
        ctx.Stdout.Write(text);
        if (!text.EndsWith('\n'))
            ctx.Stdout.WriteLine();
    }
}
