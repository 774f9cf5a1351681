using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// Durable settlement intents (see Settlement/README.md). Adding is idempotent on (job, attempt, action); the
/// worker moves each intent pending → sent → done | failed and never deletes one.
/// </summary>
public interface ISettlementStore
{
    Task InitializeAsync(CancellationToken ct);

    /// <summary>When settlement was first switched on for this database; records <paramref name="now"/> the first time.</summary>
    Task<DateTimeOffset> EnabledSinceAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Adds the intents in one transaction; an intent whose (job, attempt, action) exists is left as it is.</summary>
    Task AddAsync(IReadOnlyList<SettlementIntent> intents, DateTimeOffset now, CancellationToken ct);

    /// <summary>Pending and sent intents, oldest first.</summary>
    Task<IReadOnlyList<SettlementIntent>> ListUnfinishedAsync(int limit, CancellationToken ct);

    /// <summary>Every intent of a job, oldest first.</summary>
    Task<IReadOnlyList<SettlementIntent>> ListForJobAsync(JobId job, CancellationToken ct);

    /// <summary>Attempts whose lease has an open intent but no close intent yet.</summary>
    Task<IReadOnlyList<SettlementIntent>> ListOpensWithoutCloseAsync(CancellationToken ct);

    /// <summary>Records that the intent's transaction is about to be sent (before it is).</summary>
    Task MarkSentAsync(long id, DateTimeOffset now, CancellationToken ct);

    Task MarkDoneAsync(long id, string? txHash, long? gasUsed, string note, DateTimeOffset now, CancellationToken ct);

    Task MarkFailedAsync(long id, string note, DateTimeOffset now, CancellationToken ct);

    /// <summary>Counts one more failure and holds the intent until <paramref name="nextTryAt"/>; its state is kept.</summary>
    Task ScheduleRetryAsync(long id, DateTimeOffset nextTryAt, string note, DateTimeOffset now, CancellationToken ct);
}
