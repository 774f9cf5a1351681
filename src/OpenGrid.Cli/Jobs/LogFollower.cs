using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;

namespace OpenGrid.Cli.Jobs;

/// <summary>
/// Reads a job's log stream, handing each chunk over once, in order. When following, a dropped stream is re-opened
/// after the last chunk seen (the coordinator resumes from its <see cref="LogChunkView.Seq"/>, and a chunk at or
/// before it is still skipped); if the job has meanwhile ended, its end is taken from the job itself.
/// </summary>
internal static class LogFollower
{
    private const int MaxReconnects = 10;

    /// <summary>
    /// Streams the log to <paramref name="onChunk"/>; returns how the job ended, or null when not following and the job
    /// has not ended.
    /// </summary>
    public static async Task<JobEndView?> ReadAsync(
        OpenGridClient client, string jobId, bool follow, Action<LogChunkView> onChunk, CancellationToken ct)
    {
        var lastSeq = long.MinValue;
        var attemptsWithoutProgress = 0;
        while (true)
        {
            Exception? failure = null;
            try
            {
                await foreach (var item in client.StreamLogsAsync(jobId, follow, ResumeAfter(lastSeq), ct))
                {
                    switch (item)
                    {
                        case LogChunkView chunk when chunk.Seq > lastSeq:
                            lastSeq = chunk.Seq;
                            attemptsWithoutProgress = 0;
                            onChunk(chunk);
                            break;
                        case JobEndView end:
                            return end;
                    }
                }
                if (!follow)
                    return null;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is IOException or HttpRequestException or CoordinatorUnreachableException)
            {
                failure = e;
            }

            // The stream ended without an end event: the connection dropped or the coordinator restarted.
            if (++attemptsWithoutProgress > MaxReconnects)
            {
                throw failure is CoordinatorUnreachableException unreachable
                    ? unreachable
                    : new CliException(
                        $"lost the log stream of job {jobId} ({failure?.Message ?? "it kept closing"}); resume with: og logs {jobId} -f",
                        ExitCodes.Failure);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 250 * (1 << Math.Min(attemptsWithoutProgress, 5)))), ct);
            if (await TryGetEndAsync(client, jobId, ct) is { } ended)
            {
                // Print what arrived after the drop, then report the end.
                await foreach (var item in client.StreamLogsAsync(jobId, follow: false, ResumeAfter(lastSeq), ct))
                    if (item is LogChunkView chunk && chunk.Seq > lastSeq)
                    {
                        lastSeq = chunk.Seq;
                        onChunk(chunk);
                    }
                return ended;
            }
        }
    }

    private static long? ResumeAfter(long lastSeq) => lastSeq == long.MinValue ? null : lastSeq;

    private static async Task<JobEndView?> TryGetEndAsync(OpenGridClient client, string jobId, CancellationToken ct)
    {
        try
        {
            var job = await client.GetJobAsync(jobId, ct);
            return JobStates.IsTerminal(job.State) ? new JobEndView(job.State, job.ExitCode, job.Reason) : null;
        }
        catch (CoordinatorUnreachableException)
        {
            return null;
        }
    }
}
