using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Reputation and streaks as the coordinator keeps them: the pure rules of <see cref="Reputation"/> and
/// <see cref="Streaks"/> applied to the durable <see cref="ITrustStore"/>. Scores are stored as of their last event
/// and decayed toward neutral when read.
/// </summary>
public sealed partial class TrustLedger(ITrustStore store, TimeProvider time, IOptions<CoordinatorOptions> options, ILogger<TrustLedger> log)
{
    public ReputationOptions Rules => new() { HalfLife = options.Value.Trust.ReputationHalfLife, MatchFloor = options.Value.Trust.ReputationFloor };

    /// <summary>Every scored provider's reputation now; providers not in it are neutral.</summary>
    public async Task<IReadOnlyDictionary<Address, double>> ScoresAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rules = Rules;
        return (await store.ListStandingsAsync(ct)).ToDictionary(
            kv => kv.Key, kv => Reputation.ScoreAt(new Standing(kv.Value.Score, kv.Value.At), now, rules));
    }

    /// <summary>The reputation of a provider nobody has scored yet.</summary>
    public double Neutral => Rules.Neutral;

    public Task<int> StreakAsync(Address provider, JobClass jobClass, CancellationToken ct) => store.StreakAsync(provider, jobClass.Value, ct);

    /// <summary>
    /// Records <paramref name="trustEvent"/> for <paramref name="provider"/> on <paramref name="job"/> (at most once per
    /// provider, job and event): moves its score and, for verified results and canaries, its streak in the job's class.
    /// </summary>
    public async Task RecordAsync(Address provider, Job job, TrustEvent trustEvent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rules = Rules;
        bool? valid = trustEvent switch
        {
            TrustEvent.VerifiedResult or TrustEvent.CanaryPassed => true,
            TrustEvent.Disagreed or TrustEvent.Outvoted or TrustEvent.CanaryFailed => false,
            _ => null,
        };
        var after = await store.RecordAsync(provider, job.Id, EventName(trustEvent), JobClass.Of(job.Spec).Value, valid,
            current => new ProviderStanding(provider,
                Reputation.Apply(current is null ? new Standing(rules.Neutral, now) : new Standing(current.Score, current.At), trustEvent, now, rules).Score,
                now),
            ct);
        if (after is not null)
            LogRecorded(provider, EventName(trustEvent), job.Id, after.Score);
    }

    public Task<IReadOnlyList<TrustEventRecord>> HistoryAsync(Address provider, int limit, CancellationToken ct) =>
        store.ListEventsAsync(provider, limit, ct);

    /// <summary>The stored and wire name of an event: <c>verified_result</c>, <c>canary_failed</c>, …</summary>
    public static string EventName(TrustEvent e) => e switch
    {
        TrustEvent.VerifiedResult => "verified_result",
        TrustEvent.Disagreed => "disagreed",
        TrustEvent.Outvoted => "outvoted",
        TrustEvent.CanaryFailed => "canary_failed",
        TrustEvent.CanaryPassed => "canary_passed",
        TrustEvent.TimedOut => "timed_out",
        TrustEvent.LeaseLost => "lease_lost",
        TrustEvent.Cancelled => "cancelled",
        _ => e.ToString().ToLowerInvariant(),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Provider {ProviderId}: {Event} on job {JobId}, reputation now {Score:0.000}")]
    private partial void LogRecorded(Address providerId, string @event, JobId jobId, double score);
}
