using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// Durable job state. Every method is one transaction; state changes check the expected state and epoch in the
/// same statement, so a stale or repeated report changes nothing. SQLite implements it today; a PostgreSQL store
/// implements the same interface for scale-out.
/// </summary>
public interface IJobStore
{
    Task InitializeAsync(CancellationToken ct);

    Task InsertJobAsync(Job job, CancellationToken ct);

    Task<Job?> GetJobAsync(JobId id, CancellationToken ct);

    /// <summary>
    /// Records how many replicas the verification group of <paramref name="root"/> runs and inserts the new replica
    /// jobs, in one transaction, only when the planned count is still <paramref name="expectedPlanned"/> (null: not
    /// planned yet) — so a repeated or racing decision adds nothing. False when it was not applied.
    /// </summary>
    Task<bool> PlanReplicasAsync(JobId root, int? expectedPlanned, int planned, IReadOnlyList<Job> replicas, CancellationToken ct);

    /// <summary>The job <paramref name="root"/> and its replicas, replica 0 (the root) first.</summary>
    Task<IReadOnlyList<Job>> ListGroupAsync(JobId root, CancellationToken ct);

    /// <summary>
    /// The verdict on a verifying job: verifying → <paramref name="to"/> (succeeded, failed or cancelled), with the
    /// accepted outputs replacing its own when given, and each member's verdict (<c>agreed</c>, <c>disagreed</c>).
    /// </summary>
    Task<TransitionResult> SettleGroupAsync(JobId root, JobState to, string? reason, IReadOnlyList<OutputFile>? outputs,
        IReadOnlyDictionary<JobId, string> verdicts, DateTimeOffset now, CancellationToken ct);

    Task<IReadOnlyList<Job>> ListJobsAsync(Address requester, JobState? state, int limit, CancellationToken ct);

    /// <summary>The requester's jobs last updated at or after <paramref name="since"/>, least recently updated first.</summary>
    Task<IReadOnlyList<Job>> ListJobsUpdatedSinceAsync(Address requester, DateTimeOffset since, CancellationToken ct);

    /// <summary>Queued jobs whose retry backoff has passed at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<Job>> ListQueuedAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Every job in assigned or running state (the live leases), oldest first.</summary>
    Task<IReadOnlyList<Job>> ListActiveAsync(CancellationToken ct);

    /// <summary>Every job waiting in verifying for its group's verdict, oldest first.</summary>
    Task<IReadOnlyList<Job>> ListVerifyingAsync(CancellationToken ct);

    /// <summary>Jobs in assigned or running state leased to <paramref name="provider"/>.</summary>
    Task<IReadOnlyList<Job>> ListActiveForProviderAsync(Address provider, CancellationToken ct);

    /// <summary>queued → assigned with a new attempt and epoch at the cleared price; null when the job is no longer queued.</summary>
    Task<Attempt?> AssignAsync(JobId id, Address provider, TokenAmount pricePerHour, DateTimeOffset now, CancellationToken ct);

    /// <summary>The most recent leases (newest first) with their jobs: the market's clearing prices.</summary>
    Task<IReadOnlyList<(Job Job, Attempt Attempt)>> ListRecentLeasesAsync(int limit, CancellationToken ct);

    /// <summary>Moves the job and its current attempt (which must carry <paramref name="epoch"/>) to <paramref name="to"/>.</summary>
    Task<TransitionResult> TransitionAsync(JobId id, long epoch, JobTransition transition, CancellationToken ct);

    /// <summary>
    /// The lease at <paramref name="epoch"/> was lost: its attempt fails with <paramref name="reason"/>, and the job
    /// returns to the queue (not before <paramref name="notBefore"/>) while it has had fewer than
    /// <paramref name="maxAttempts"/> attempts, else fails with the history of its attempts.
    /// </summary>
    Task<TransitionResult> RequeueAsync(JobId id, long epoch, string reason, DateTimeOffset notBefore, int maxAttempts, DateTimeOffset now, CancellationToken ct);

    /// <summary>queued → failed (no provider matched before its deadline); false when it was no longer queued.</summary>
    Task<bool> FailQueuedAsync(JobId id, string reason, DateTimeOffset now, CancellationToken ct);

    /// <summary>Cancels a queued, assigned or running job.</summary>
    Task<TransitionResult> CancelAsync(JobId id, string reason, DateTimeOffset now, CancellationToken ct);

    /// <summary>Appends a log chunk; false when (job, epoch, seq) was already stored (a redelivery).</summary>
    Task<LogRecord?> AppendLogAsync(JobId id, long epoch, long seq, int attempt, string stream, string text, DateTimeOffset at, CancellationToken ct);

    Task<IReadOnlyList<LogRecord>> ReadLogsAsync(JobId id, long afterId, int limit, CancellationToken ct);

    Task GrantContentAsync(Cid cid, Address address, CancellationToken ct);

    /// <summary>Marks a provider as draining (no new leases) or not; survives restarts.</summary>
    Task SetDrainingAsync(Address provider, bool draining, CancellationToken ct);

    Task<IReadOnlySet<Address>> ListDrainingAsync(CancellationToken ct);

    Task<bool> CanReadContentAsync(Cid cid, Address address, CancellationToken ct);
}

/// <summary>
/// A state change of a job's current attempt, with what the provider reported. The job moves to the same state,
/// or to <see cref="JobTo"/> when given (a replicated job whose attempt succeeded waits in verifying).
/// </summary>
public sealed record JobTransition(
    JobState To,
    DateTimeOffset At,
    int? ExitCode = null,
    string? Reason = null,
    Usage? Usage = null,
    IReadOnlyList<OutputFile>? Outputs = null,
    JobState? JobTo = null);

public enum TransitionOutcome { Applied, AlreadyApplied, NotFound, StaleEpoch, IllegalTransition }

public sealed record TransitionResult(TransitionOutcome Outcome, Job? Job);

/// <summary>A stored log chunk. Id orders chunks within the whole store.</summary>
public sealed record LogRecord(long Id, JobId Job, int Attempt, string Stream, string Text, DateTimeOffset At);
