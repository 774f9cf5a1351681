namespace OpenGrid.Core.Trust;

/// <summary>
/// Something a provider did that changes its <see cref="Reputation"/> (and, for results, its <see cref="Streaks"/>).
/// Only provider-side facts are events: a requester cancelling a job, or the coordinator cancelling replicas left
/// running once a quorum is reached, is nobody's fault and is not reported.
/// </summary>
public enum TrustEvent
{
    /// <summary>The provider's result was in the accepted group of a quorum of two or more agreeing results.</summary>
    VerifiedResult,

    /// <summary>The provider's result differed from the accepted group of a quorum.</summary>
    Disagreed,

    /// <summary>The provider's result differed from an accepted group of two or more providers that were all reputable
    /// (<see cref="ReputationOptions.ReputableScore"/>): strong evidence of a wrong result, costing
    /// <see cref="ReputationOptions.OutvotedLoss"/>. <see cref="Reputation.DissentEvent"/> decides between the two.</summary>
    Outvoted,

    /// <summary>The provider answered a canary (a known-answer job) wrongly: proof of fraud.</summary>
    CanaryFailed,

    /// <summary>The provider answered a canary correctly.</summary>
    CanaryPassed,

    /// <summary>The job ran past its timeout on the provider.</summary>
    TimedOut,

    /// <summary>The provider went silent past heartbeat and grace, and the lease was taken back.</summary>
    LeaseLost,

    /// <summary>The provider gave up a job it had accepted (it cancelled or crashed the attempt).</summary>
    Cancelled,
}
