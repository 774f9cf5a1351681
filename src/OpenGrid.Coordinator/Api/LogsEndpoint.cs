using System.Globalization;
using System.Text.Json;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// <c>GET /v1/jobs/{id}/logs</c> as Server-Sent Events: stored chunks first, then live ones (with
/// <c>follow=true</c>) until the job is terminal, then one <c>end</c> event. Each <c>log</c> event carries the chunk's
/// id as its SSE <c>id</c>; a client resumes after a chunk with <c>Last-Event-ID</c> (or <c>?after=</c>) instead of
/// replaying. When following, a <c>state</c> event carries the <see cref="JobView"/> on connecting (before any chunk
/// while the job runs) and again whenever the job changes, the last one right before <c>end</c>. Readers re-read the
/// store after each signal, so a reconnecting client never misses or duplicates a chunk.
/// </summary>
public static class LogsEndpoint
{
    private const int Batch = 500;

    public static async Task StreamAsync(string id, bool? follow, string? after, HttpContext context, IJobStore store, JobSignals signals)
    {
        if (await JobsEndpoints.FindOwnAsync(id, context.User, store, context.RequestAborted) is not { } job)
        {
            await JobsEndpoints.NotFound(id).ExecuteAsync(context);
            return;
        }
        var resumeFrom = context.Request.Headers["Last-Event-ID"].FirstOrDefault() is { Length: > 0 } header ? header : after;
        long lastId = 0;
        if (resumeFrom is not null && !long.TryParse(resumeFrom, NumberStyles.None, CultureInfo.InvariantCulture, out lastId))
        {
            await Problems.Result(ErrorCodes.RequestInvalid,
                $"'{resumeFrom}' is not a log chunk id: Last-Event-ID and after take the id of the last log event received").ExecuteAsync(context);
            return;
        }

        using var stream = await EventStream.StartAsync(context);
        var ct = stream.Stopped;
        string? shownState = null;
        try
        {
            while (true)
            {
                var changed = signals.NextChange(job.Id);
                job = (await store.GetJobAsync(job.Id, ct))!;
                var ended = job.State.IsTerminal();
                if (follow == true && !ended)
                    await WriteStateIfChangedAsync(job);
                // Read after the job: once it is seen terminal, its provider has sent every chunk it had.
                (long LastId, bool More) read;
                do
                {
                    read = await WriteLogsAsync(stream, store, job.Id, lastId, ct);
                    lastId = read.LastId;
                }
                while (read.More);
                if (ended)
                {
                    if (follow == true)
                        await WriteStateIfChangedAsync(job);
                    await stream.WriteAsync("end", JsonSerializer.Serialize(
                        new JobEndView(job.State.ToWire(), job.ExitCode, job.Reason), OpenGridJsonContext.Default.JobEndView));
                    return;
                }
                if (follow != true)
                    return;
                await stream.WaitAsync(changed);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the coordinator is stopping: the client reconnects where it left off.
        }

        async Task WriteStateIfChangedAsync(Job current)
        {
            var json = JsonSerializer.Serialize(current.ToView(), OpenGridJsonContext.Default.JobView);
            if (json == shownState)
                return;
            shownState = json;
            await stream.WriteAsync("state", json);
        }
    }

    /// <summary>Writes up to one batch of chunks after <paramref name="afterId"/>; More when a full batch was read.</summary>
    private static async Task<(long LastId, bool More)> WriteLogsAsync(EventStream stream, IJobStore store, JobId job, long afterId, CancellationToken ct)
    {
        var chunks = await store.ReadLogsAsync(job, afterId, Batch, ct);
        foreach (var chunk in chunks)
        {
            await stream.WriteAsync("log", JsonSerializer.Serialize(chunk.ToView(), OpenGridJsonContext.Default.LogChunkView), chunk.Id);
            afterId = chunk.Id;
        }
        return (afterId, chunks.Count == Batch);
    }
}
