using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Jobs;

/// <summary>
/// Waits for the jobs of a split to end, a few followed at a time, printing one line per job as it ends (on stderr);
/// returns the exit status of the first job, in frame order, that did not succeed (0 when all did).
/// </summary>
internal static class JobsWait
{
    // Log streams held open at once; a job that ended before its turn reports its end at once.
    private const int MaxFollowed = 8;

    public static async Task<int> RunAsync(CliContext ctx, OpenGridClient client, IReadOnlyList<SubmittedJob> jobs, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(MaxFollowed);
        var ends = new JobEndView?[jobs.Count];
        var gate = new object();
        try
        {
            await Task.WhenAll(jobs.Select(async (submitted, index) =>
            {
                await slots.WaitAsync(ct);
                try
                {
                    var end = await LogFollower.ReadAsync(client, submitted.Job.Id, follow: true, _ => { }, ct);
                    ends[index] = end;
                    lock (gate)
                        ctx.Stderr.WriteLine($"frame {submitted.Frame}: " + JobStates.Describe(submitted.Job.Id, end!.State, end.ExitCode, end.Reason));
                }
                finally
                {
                    slots.Release();
                }
            }));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            ctx.Error($"stopped waiting for {jobs.Count} jobs; they keep running. See them with: og jobs");
            return ExitCodes.Interrupted;
        }

        var succeeded = ends.Count(e => e!.State == "succeeded");
        ctx.Stderr.WriteLine($"{succeeded} of {jobs.Count} frames succeeded");
        var firstFailure = ends.FirstOrDefault(e => e!.State != "succeeded");
        return firstFailure is null ? ExitCodes.Ok : ExitCodes.ForJobEnd(firstFailure.State, firstFailure.ExitCode);
    }
}
