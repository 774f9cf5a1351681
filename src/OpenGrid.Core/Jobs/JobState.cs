namespace OpenGrid.Core.Jobs;

/// <summary>Where a job is in its life. Terminal states never change again.</summary>
public enum JobState
{
    Queued,
    Assigned,
    Running,
    /// <summary>Its own attempt succeeded; waiting for the replicas of its verification group to reach a quorum.</summary>
    Verifying,
    Succeeded,
    Failed,
    Cancelled,
    TimedOut,
}

/// <summary>The legal transitions of <see cref="JobState"/>; every store write goes through <see cref="CanMove"/>.</summary>
public static class JobStateMachine
{
    public static bool IsTerminal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.TimedOut;

    public static bool CanMove(JobState from, JobState to) => (from, to) switch
    {
        (JobState.Queued, JobState.Assigned) => true,
        (JobState.Queued, JobState.Cancelled or JobState.Failed) => true,
        (JobState.Assigned, JobState.Running) => true,
        // A lost lease puts the job back in the book for another attempt.
        (JobState.Assigned or JobState.Running, JobState.Queued) => true,
        (JobState.Assigned, JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.TimedOut) => true,
        (JobState.Running, JobState.Succeeded or JobState.Failed or JobState.Cancelled or JobState.TimedOut) => true,
        // A replicated job whose attempt succeeded waits for its quorum, which accepts or fails it.
        (JobState.Running or JobState.Assigned, JobState.Verifying) => true,
        (JobState.Verifying, JobState.Succeeded or JobState.Failed or JobState.Cancelled) => true,
        _ => false,
    };

    /// <summary>The wire/CLI name of a state: <c>queued</c>, <c>timed_out</c>, …</summary>
    public static string ToWire(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Assigned => "assigned",
        JobState.Running => "running",
        JobState.Verifying => "verifying",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        JobState.TimedOut => "timed_out",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParseWire(string? text, out JobState state)
    {
        foreach (var s in Enum.GetValues<JobState>())
        {
            if (s.ToWire() == text)
            {
                state = s;
                return true;
            }
        }
        state = default;
        return false;
    }
}
