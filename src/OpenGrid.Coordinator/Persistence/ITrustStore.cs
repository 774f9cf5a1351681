using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Persistence;

/// <summary>
/// Durable trust state: each provider's reputation score (as of a time, decayed by the reader), its streak of valid
/// results per job class, and the history of the events that moved them. Every event is keyed by (provider, job,
/// event), so a verdict applied twice (a redelivered report, a restart mid-verdict) counts once.
/// </summary>
public interface ITrustStore
{
    Task InitializeAsync(CancellationToken ct);

    /// <summary>Every provider's last recorded score and when it was recorded.</summary>
    Task<IReadOnlyDictionary<Address, ProviderStanding>> ListStandingsAsync(CancellationToken ct);

    /// <summary>
    /// Applies one event in one transaction: the new score is <paramref name="apply"/> of the stored standing (null when
    /// the provider has none yet); the streak of <paramref name="jobClass"/> grows when <paramref name="valid"/> is true,
    /// resets when false, stays when null. Null when this (provider, job, event) was already recorded.
    /// </summary>
    Task<ProviderStanding?> RecordAsync(Address provider, JobId job, string trustEvent, string jobClass, bool? valid,
        Func<ProviderStanding?, ProviderStanding> apply, CancellationToken ct);

    /// <summary>The provider's current streak of valid results for a job class (0 when none).</summary>
    Task<int> StreakAsync(Address provider, string jobClass, CancellationToken ct);

    /// <summary>The provider's most recent trust events, newest first.</summary>
    Task<IReadOnlyList<TrustEventRecord>> ListEventsAsync(Address provider, int limit, CancellationToken ct);

    /// <summary>Keeps a harvested canary; false when one with the same key is already kept (the first answer stays).</summary>
    Task<bool> AddHarvestedCanaryAsync(HarvestedCanary canary, CancellationToken ct);

    /// <summary>The harvested canaries of a job class, oldest first.</summary>
    Task<IReadOnlyList<HarvestedCanary>> ListHarvestedCanariesAsync(string jobClass, CancellationToken ct);

    /// <summary>The harvested canary with this key, or null.</summary>
    Task<HarvestedCanary?> FindHarvestedCanaryAsync(string key, CancellationToken ct);
}

/// <summary>
/// A known-answer job harvested from a donated job: its canonical spec (inputs by CID), its expected outputs as JSON
/// (<c>[{path, cid, size}]</c>), the providers whose agreeing results made the answer (addresses, comma-separated) and the
/// job it came from.
/// </summary>
public sealed record HarvestedCanary(string Key, string JobClass, string SpecText, string ExpectedJson, string ReproducedBy,
    JobId SourceJob, DateTimeOffset CreatedAt);

/// <summary>A provider's reputation score as recorded at <see cref="At"/>.</summary>
public sealed record ProviderStanding(Address Provider, double Score, DateTimeOffset At);

/// <summary>One recorded trust event and the score it left.</summary>
public sealed record TrustEventRecord(Address Provider, JobId Job, string Event, string JobClass, double ScoreAfter, DateTimeOffset At);
