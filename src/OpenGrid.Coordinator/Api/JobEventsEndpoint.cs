using System.Text.Json;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// <c>GET /v1/jobs/events[?state=]</c>: the caller's jobs as Server-Sent Events. First a <c>snapshot</c> (the
/// <see cref="JobListView"/> that <c>GET /v1/jobs</c> answers), then a <c>job</c> event with the
/// <see cref="JobView"/> whenever one of them changes, submitted ones included. With <c>state</c>, a job is sent when it
/// enters that state and once more when it leaves it.
/// </summary>
/// <remarks>
/// A signal does not say whose job changed, so every job change wakes every stream, which then asks the store for
/// the caller's jobs updated since its last read and sends those whose view differs from what it sent. Each event is
/// the job as it is at that read: transitions closer together than two reads arrive as one.
/// </remarks>
public static class JobEventsEndpoint
{
    /// <summary>
    /// A write takes its time before it waits for the store's lock, so it can land stamped a little earlier than a
    /// read that came before it. Each read reaches back this far; what was already sent is skipped.
    /// </summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    /// <summary>A job writing many log lines wakes every stream at each line; one read per stream per this long.</summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(200);

    public static async Task StreamAsync(string? state, HttpContext context, IJobStore store, JobSignals signals, TimeProvider time)
    {
        if (!JobsEndpoints.TryParseState(state, out var filter, out var problem))
        {
            await problem.ExecuteAsync(context);
            return;
        }
        var requester = context.User.Account();
        using var stream = await EventStream.StartAsync(context);
        var ct = stream.Stopped;
        try
        {
            var changed = signals.NextAnyChange();
            var readAt = time.GetUtcNow();
            var jobs = await store.ListJobsAsync(requester, filter, JobsEndpoints.ListLimit, ct);
            var listed = jobs.Select(j => j.Id).ToHashSet(); // what the client holds under the filter
            var sent = new Dictionary<JobId, (DateTimeOffset UpdatedAt, string Json)>(); // recent views, to skip repeats
            var views = new List<JobView>(jobs.Count);
            foreach (var job in jobs)
            {
                var view = job.ToView();
                views.Add(view);
                if (job.UpdatedAt >= readAt - Overlap)
                    sent[job.Id] = (job.UpdatedAt, JsonSerializer.Serialize(view, OpenGridJsonContext.Default.JobView));
            }
            await stream.WriteAsync("snapshot", JsonSerializer.Serialize(new JobListView(views), OpenGridJsonContext.Default.JobListView));

            while (true)
            {
                await stream.WaitAsync(changed);
                changed = signals.NextAnyChange();
                var since = readAt - Overlap;
                readAt = time.GetUtcNow();
                foreach (var job in await store.ListJobsUpdatedSinceAsync(requester, since, ct))
                {
                    var json = JsonSerializer.Serialize(job.ToView(), OpenGridJsonContext.Default.JobView);
                    if (sent.TryGetValue(job.Id, out var previous) && previous.Json == json)
                        continue;
                    sent[job.Id] = (job.UpdatedAt, json);
                    if (filter is null || job.State == filter)
                        listed.Add(job.Id);
                    else if (!listed.Remove(job.Id))
                        continue; // never shown under this filter
                    await stream.WriteAsync("job", json);
                }
                // Jobs last updated before the next read's reach come back only with a new time, so as changed.
                foreach (var old in sent.Where(s => s.Value.UpdatedAt < readAt - Overlap).Select(s => s.Key).ToList())
                    sent.Remove(old);
                await Task.Delay(MinInterval, time, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the coordinator is stopping: a reconnect starts with a fresh snapshot.
        }
    }
}
