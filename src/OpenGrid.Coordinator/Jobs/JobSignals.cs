using System.Collections.Concurrent;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Jobs;

/// <summary>
/// Wakes whoever waits on a job (log followers), on any job (event streams) or on the scheduler when something
/// changed. Take the signal <em>before</em> reading the store, then await it: a change in between completes it, so
/// nothing is missed. A signal says only "look again"; the store says what changed.
/// </summary>
public sealed class JobSignals
{
    private readonly ConcurrentDictionary<JobId, TaskCompletionSource> _jobs = new();
    private TaskCompletionSource _anyJob = NewSource();
    private TaskCompletionSource _scheduler = NewSource();

    public Task NextChange(JobId id) => _jobs.GetOrAdd(id, _ => NewSource()).Task;

    /// <summary>
    /// Completes at the next change of any job: every <see cref="Changed"/>, and every
    /// <see cref="SchedulingChance"/> too, since a submit raises only that one and a new job is a change.
    /// </summary>
    public Task NextAnyChange() => Volatile.Read(ref _anyJob).Task;

    public void Changed(JobId id)
    {
        if (_jobs.TryRemove(id, out var tcs))
            tcs.TrySetResult();
        AnyChanged();
    }

    public Task NextSchedulingChance() => Volatile.Read(ref _scheduler).Task;

    public void SchedulingChance()
    {
        Interlocked.Exchange(ref _scheduler, NewSource()).TrySetResult();
        AnyChanged();
    }

    private void AnyChanged() => Interlocked.Exchange(ref _anyJob, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
