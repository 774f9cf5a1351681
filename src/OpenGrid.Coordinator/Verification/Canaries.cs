using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Trust;
using OpenGrid.Verification;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Canary jobs: with probability <c>Coordinator:Trust:CanaryRate</c> a submitted job brings a known-answer job of
/// the same class with it, queued like any other job (same id scheme, same market, its own spec's price), so a
/// provider cannot tell it from real work. A canary that succeeds with the wrong answer is proof of fraud: the
/// provider's reputation collapses (and, with payments on, its bond is slashable on that evidence); a right answer
/// counts toward its streak.
/// </summary>
public sealed partial class Canaries(
    CanaryCatalogue catalogue,
    IJobStore store,
    ResultComparer comparer,
    TrustLedger trust,
    Settlement.SettlementLedger settlement,
    JobSignals signals,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<Canaries> log)
{
    /// <summary>Maybe queues a canary of <paramref name="job"/>'s class; returns it when one was queued.</summary>
    public async Task<Job?> MaybeInjectAsync(Job job, CancellationToken ct)
    {
        if (job.Kind != JobKind.Requested || !CanaryPolicy.ShouldInject(Random.Shared.NextDouble(), new CanaryOptions { Rate = options.Value.Trust.CanaryRate }))
            return null;
        var candidates = await catalogue.ForClassAsync(JobClass.Of(job.Spec), ct);
        if (candidates.Count == 0)
            return null;
        var canary = candidates[Random.Shared.Next(candidates.Count)];
        var now = time.GetUtcNow();
        var canaryJob = new Job(JobId.New(time), CanaryCatalogue.Account, canary.Spec.Name, canary.SpecText, canary.Spec, JobState.Queued,
            now, now, null, null, canary.Inputs, [], []) { Kind = JobKind.Canary };
        await store.InsertJobAsync(canaryJob, ct);
        LogInjected(canaryJob.Id, canary.Name, job.Id);
        signals.SchedulingChance();
        return canaryJob;
    }

    /// <summary>A canary job ended: its provider's answer is checked against the known one.</summary>
    public async Task CheckAsync(Job job, CancellationToken ct)
    {
        if (job.Kind != JobKind.Canary || job.State != JobState.Succeeded || job.CurrentAttempt is not { } attempt)
            return;
        if (await catalogue.FindAsync(job.SpecText, ct) is not { } canary)
            return;
        var (pass, detail) = await CompareAsync(job, canary, ct);
        await trust.RecordAsync(attempt.Provider, job, pass ? TrustEvent.CanaryPassed : TrustEvent.CanaryFailed, ct);
        if (pass)
        {
            LogPassed(job.Id, attempt.Provider);
            return;
        }
        LogCaught(job.Id, attempt.Provider, detail);
        await settlement.FraudProvenAsync(job, attempt, options.Value.Trust.CanarySlashAmount, ct);
    }

    private async Task<(bool Pass, string Detail)> CompareAsync(Job job, Canary canary, CancellationToken ct)
    {
        if (await comparer.ReadAsync(job.Outputs, ct) is not { } actual)
            return (false, "the outputs are far larger than the known answer, or unreadable in the content store");
        var expected = canary.Expected.ToDictionary(kv => kv.Key, kv => (ReadOnlyMemory<byte>)kv.Value, StringComparer.Ordinal);
        var result = ReplicaAgreement.Compare(canary.Spec.Outputs, expected, actual, ComparatorOptions.Default);
        return (result.Agree, result.Detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {JobId} ({Canary}) queued alongside job {RealJobId}")]
    private partial void LogInjected(JobId jobId, string canary, JobId realJobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {JobId} passed on {ProviderId}")]
    private partial void LogPassed(JobId jobId, Address providerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {JobId} caught {ProviderId} returning a wrong answer: {Detail}")]
    private partial void LogCaught(JobId jobId, Address providerId, string detail);
}
