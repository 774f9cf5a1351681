using System.Collections.Concurrent;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Jobs;

/// <summary>
/// Wakes whoever waits on a job (log followers) or on the scheduler when something changed. Take the signal
/// <em>before</em> reading the store, then await it: a change in between completes it, so nothing is missed.
/// </summary>
public sealed class JobSignals
{
    private readonly ConcurrentDictionary<JobId, TaskCompletionSource> _jobs = new();
    private TaskCompletionSource _scheduler = NewSource();

    public Task NextChange(JobId id) => _jobs.GetOrAdd(id, _ => NewSource()).Task;

    public void Changed(JobId id)
    {
        if (_jobs.TryRemove(id, out var tcs))
            tcs.TrySetResult();
    }

    public Task NextSchedulingChance() => Volatile.Read(ref _scheduler).Task;

    public void SchedulingChance() => Interlocked.Exchange(ref _scheduler, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
