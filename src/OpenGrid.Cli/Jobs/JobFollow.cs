using System.Text.Json;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Jobs;

/// <summary>
/// Prints a job's log as it arrives — stdout chunks to stdout, stderr chunks to stderr, or one
/// <see cref="LogChunkView"/> JSON per line — and, when following, exits with the job's exit status.
/// </summary>
internal static class JobFollow
{
    public static async Task<int> RunAsync(CliContext ctx, OpenGridClient client, string jobId, bool follow, bool json, CancellationToken ct)
    {
        try
        {
            var end = await LogFollower.ReadAsync(client, jobId, follow, chunk => Write(ctx, chunk, json), ct);
            if (!follow || end is null)
                return ExitCodes.Ok;
            if (!json)
                ctx.Stderr.WriteLine(JobStates.Describe(jobId, end.State, end.ExitCode, end.Reason));
            return ExitCodes.ForJobEnd(end.State, end.ExitCode);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && follow)
        {
            ctx.Error($"stopped following job {jobId}; it keeps running. Follow it again with: og logs {jobId} -f");
            return ExitCodes.Interrupted;
        }
    }

    public static void Write(CliContext ctx, LogChunkView chunk, bool json)
    {
        if (json)
        {
            ctx.Stdout.WriteLine(JsonSerializer.Serialize(chunk, OpenGridJsonContext.Default.LogChunkView));
            ctx.Stdout.Flush();
            return;
        }
        var writer = chunk.Stream == "stderr" ? ctx.Stderr : ctx.Stdout;
        writer.Write(chunk.Text);
        writer.Flush();
    }
}
