using OpenGrid.Chain.Escrow;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// The rules of streaming pay (docs/payments.md, "Streaming"): which leases are paid per interval, and for how many
/// seconds. The seconds are what the coordinator itself saw, never a provider's figure alone. Pure: every time comes in
/// as an argument, read from the coordinator's clock.
/// </summary>
public static class StreamingUsage
{
    /// <summary>
    /// Whether the job's lease is paid per interval while it runs: a streaming price, a requested job, and no
    /// verification — a job with <c>verify.replicas</c> above 1 pays only the replicas its quorum agrees with, and a
    /// canary only answers that match the known one, so their leases are paid once, by the verdict or the judgement.
    /// </summary>
    public static bool PaysPerInterval(Job job) =>
        job.Spec.Price.Mode == "streaming" && job.Kind == JobKind.Requested && job.GroupOf is null && job.Spec.Verify.Replicas <= 1;

    /// <summary>
    /// The most seconds a lease may be paid for (streaming or milestone): its timeout rounded up (as its full cap is), and
    /// no more than its cap buys at the rate (<see cref="JobBudget.SecondsWithin"/>) — the cap it opened with, which may
    /// be lower than the full cap when the job's authorization had less left (<see cref="JobBudget.CapWithin"/>).
    /// </summary>
    public static ulong MaxSeconds(JobSpec spec, TokenAmount ratePerHour, TokenAmount cap)
    {
        var timeout = (ulong)Math.Ceiling(Math.Max(0, spec.Limits.Timeout.TotalSeconds));
        return Math.Min(JobBudget.SecondsWithin(ratePerHour, cap), timeout);
    }

    /// <summary>
    /// The seconds the coordinator has seen the attempt run: from its start (the provider's <c>job_started</c>, as the
    /// coordinator received it) to the last time the coordinator heard from its provider, never past the attempt's end;
    /// rounded down and at most <paramref name="maxSeconds"/>. Zero when it never started or the provider has not been
    /// heard from since this coordinator started (<paramref name="lastHeard"/> null).
    /// </summary>
    /// <remarks>
    /// A heartbeat counts for every lease the coordinator holds live for its provider: a provider that reconnects names
    /// the leases it still runs and loses the others at once (whose last sign of life is then its last message before
    /// that connection, <c>ProviderSession.HeardBefore</c>, passed as <paramref name="lastHeard"/>), and one silent past
    /// heartbeat + grace loses them all.
    /// </remarks>
    public static ulong ObservedSeconds(Attempt attempt, DateTimeOffset? lastHeard, ulong maxSeconds)
    {
        if (attempt.StartedAt is not { } started || lastHeard is not { } heard)
            return 0;
        var end = attempt.FinishedAt is { } finished && finished < heard ? finished : heard;
        if (end <= started)
            return 0;
        return Math.Min((ulong)Math.Floor((end - started).TotalSeconds), maxSeconds);
    }

    /// <summary>
    /// The seconds a streaming attempt that succeeded is paid for in all: the wall time its provider reports, but no more
    /// than the coordinator saw it last (from start — or assignment when no start was reported — to the report of its
    /// end); rounded up to a whole second, at least 1 and at most <paramref name="maxSeconds"/>.
    /// </summary>
    public static ulong CompletedSeconds(Attempt attempt, ulong maxSeconds)
    {
        var observed = attempt.FinishedAt is { } finished ? finished - (attempt.StartedAt ?? attempt.AssignedAt) : (TimeSpan?)null;
        var wall = (attempt.Usage?.Wall, observed) switch
        {
            ({ } w, { } o) => w < o ? w : o,
            ({ } w, null) => w,
            (null, { } o) => o,
            _ => TimeSpan.Zero,
        };
        var seconds = (ulong)Math.Ceiling(Math.Max(0, wall.TotalSeconds));
        return Math.Clamp(seconds, 1UL, Math.Max(1UL, maxSeconds));
    }

    /// <summary>Whether paying up to <paramref name="seconds"/> moves money beyond what <paramref name="paidSeconds"/> paid.</summary>
    public static bool PaysMore(TokenAmount ratePerHour, ulong paidSeconds, ulong seconds) =>
        seconds > paidSeconds && EscrowRules.PayFor(ratePerHour, seconds).BaseUnits > EscrowRules.PayFor(ratePerHour, paidSeconds).BaseUnits;
}
