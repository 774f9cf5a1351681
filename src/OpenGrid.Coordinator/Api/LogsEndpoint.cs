using System.Security.Claims;
using System.Text.Json;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// <c>GET /v1/jobs/{id}/logs</c> as Server-Sent Events: stored chunks first, then live ones (with
/// <c>follow=true</c>) until the job is terminal, then one <c>end</c> event. Readers re-read the store after each
/// signal, so a reconnecting client never misses or duplicates a chunk.
/// </summary>
public static class LogsEndpoint
{
    private const int Batch = 500;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(string id, bool? follow, HttpContext context, IJobStore store, JobSignals signals, CancellationToken ct)
    {
        if (await JobsEndpoints.FindOwnAsync(id, context.User, store, ct) is not { } job)
        {
            await JobsEndpoints.NotFound(id).ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.Body.FlushAsync(ct);

        long after = 0;
        try
        {
            while (true)
            {
                var changed = signals.NextChange(job.Id);
                var chunks = await store.ReadLogsAsync(job.Id, after, Batch, ct);
                foreach (var chunk in chunks)
                {
                    await WriteEventAsync(context, "log", JsonSerializer.Serialize(chunk.ToView(), OpenGridJsonContext.Default.LogChunkView), ct);
                    after = chunk.Id;
                }
                if (chunks.Count == Batch)
                    continue;
                job = (await store.GetJobAsync(job.Id, ct))!;
                if (job.State.IsTerminal() || follow != true)
                {
                    if (job.State.IsTerminal())
                    {
                        // Logs written in the same instant as the terminal transition: drain once more.
                        var tail = await store.ReadLogsAsync(job.Id, after, int.MaxValue, ct);
                        foreach (var chunk in tail)
                            await WriteEventAsync(context, "log", JsonSerializer.Serialize(chunk.ToView(), OpenGridJsonContext.Default.LogChunkView), ct);
                        await WriteEventAsync(context, "end", JsonSerializer.Serialize(
                            new JobEndView(job.State.ToWire(), job.ExitCode, job.Reason), OpenGridJsonContext.Default.JobEndView), ct);
                    }
                    return;
                }
                await context.Response.Body.FlushAsync(ct);
                try
                {
                    await changed.WaitAsync(KeepAlive, ct);
                }
                catch (TimeoutException)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string name, string json, CancellationToken ct)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: {json}\n\n", ct);
        await context.Response.Body.FlushAsync(ct);
    }
}
