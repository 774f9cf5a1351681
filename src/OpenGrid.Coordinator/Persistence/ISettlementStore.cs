using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// Durable settlement intents (see Settlement/README.md). Adding is idempotent on (job, attempt, action, seq); the
/// worker moves each intent pending → sent → done | failed and never deletes one. A lease's releases are numbered by
/// seq and only ever pay more seconds; its close is written once, after its last release.
/// </summary>
public interface ISettlementStore
{
    Task InitializeAsync(CancellationToken ct);

    /// <summary>When settlement was first switched on for this database; records <paramref name="now"/> the first time.</summary>
    Task<DateTimeOffset> EnabledSinceAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Adds the intents in one transaction; an intent whose (job, attempt, action, seq) exists is left as it is.</summary>
    Task AddAsync(IReadOnlyList<SettlementIntent> intents, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Records an interval release of a streaming lease, coalesced, in one transaction: nothing when the lease has a close
    /// or a release (not failed) of at least these seconds; else the lease's latest release raised to these seconds when
    /// it is still pending (never sent), or a new release numbered after it. True when it wrote.
    /// </summary>
    Task<bool> AddReleaseAsync(SettlementIntent release, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Records the end of a lease once, in one transaction: its last release (when given; coalesced as
    /// <see cref="AddReleaseAsync"/>) and then its close. False, writing nothing, when the lease already has a close.
    /// </summary>
    Task<bool> AddEndAsync(SettlementIntent? release, SettlementIntent close, DateTimeOffset now, CancellationToken ct);

    /// <summary>Pending and sent intents, oldest first.</summary>
    Task<IReadOnlyList<SettlementIntent>> ListUnfinishedAsync(int limit, CancellationToken ct);

    /// <summary>Every intent of a job, oldest first.</summary>
    Task<IReadOnlyList<SettlementIntent>> ListForJobAsync(JobId job, CancellationToken ct);

    /// <summary>The open intent of the attempt's lease, or null when none was written.</summary>
    Task<SettlementIntent?> GetOpenAsync(JobId job, int attempt, CancellationToken ct);

    /// <summary>Attempts whose lease has an open intent but no close intent yet.</summary>
    Task<IReadOnlyList<SettlementIntent>> ListOpensWithoutCloseAsync(CancellationToken ct);

    /// <summary>
    /// Records that the intent's transaction is about to be sent (before it is) and returns the intent as stored now:
    /// send that, not an earlier read (a pending release may have been raised meanwhile; once sent it never changes).
    /// </summary>
    Task<SettlementIntent> MarkSentAsync(long id, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// <see cref="MarkSentAsync"/> for an open, recording in the same write the cap it is sent with (the full cap, or
    /// lower when the job's authorization has less left): the lease's later releases are bounded by the cap recorded
    /// here, so it must be the one on chain. Returns the intent as stored now.
    /// </summary>
    Task<SettlementIntent> MarkOpenSentAsync(long id, TokenAmount cap, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Lowers a release's seconds to what its lease's cap buys, before it is sent (and again, to the same figure, if a
    /// resend finds it still unpaid): a release written while the lease's open was unsent counted on the full cap.
    /// </summary>
    Task LowerReleaseAsync(long id, ulong seconds, string note, DateTimeOffset now, CancellationToken ct);

    Task MarkDoneAsync(long id, string? txHash, long? gasUsed, string note, DateTimeOffset now, CancellationToken ct);

    Task MarkFailedAsync(long id, string note, DateTimeOffset now, CancellationToken ct);

    /// <summary>Counts one more failure and holds the intent until <paramref name="nextTryAt"/>; its state is kept.</summary>
    Task ScheduleRetryAsync(long id, DateTimeOffset nextTryAt, string note, DateTimeOffset now, CancellationToken ct);
}
