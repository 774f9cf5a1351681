using OpenGrid.Core;

namespace OpenGrid.Cli;

/// <summary>
/// The documented exit codes of <c>og</c> (docs/cli.md) and how the coordinator's stable error codes
/// (<see cref="ErrorCodes"/>, docs/api.md) and a job's end state map onto them.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The job failed, or something failed that is not one of the kinds below.</summary>
    public const int Failure = 1;
    /// <summary>Invalid input: a bad spec, bad arguments, an unsatisfiable spec, a missing or oversized input.</summary>
    public const int InvalidInput = 2;
    public const int NotFound = 3;
    public const int Auth = 4;
    public const int CoordinatorUnreachable = 5;
    /// <summary>The request conflicts with the current state: the job already ended, a grid already runs.</summary>
    public const int Conflict = 6;
    /// <summary>Content did not match its CID, or arrived incomplete, or an output path escapes its folder.</summary>
    public const int Integrity = 7;
    /// <summary>
    /// Not enough money in escrow for the job's worst case: deposit more (<c>og deposit</c>); or a job authorization
    /// that allows less than the worst case.
    /// </summary>
    public const int InsufficientFunds = 8;
    /// <summary>The job ran out of time (as <c>timeout(1)</c> does).</summary>
    public const int TimedOut = 124;
    /// <summary>The job was cancelled, or og was interrupted (Ctrl-C, 128 + SIGINT).</summary>
    public const int Interrupted = 130;

    public static int ForErrorCode(string? code) => code switch
    {
        ErrorCodes.RequestInvalid or ErrorCodes.SpecInvalid or ErrorCodes.SpecUnsatisfiable or ErrorCodes.InputMissing
            or ErrorCodes.ContentInvalidCid or ErrorCodes.ContentTooLarge or ErrorCodes.ChainTxInvalid or ErrorCodes.ChainTxRefused => InvalidInput,
        ErrorCodes.JobNotFound or ErrorCodes.ContentNotFound or ErrorCodes.ChainNotConfigured => NotFound,
        ErrorCodes.AuthRequired or ErrorCodes.AuthInvalidSignature or ErrorCodes.AuthChallengeExpired
            or ErrorCodes.Forbidden or ErrorCodes.ChainTxNotYours
            or ErrorCodes.EscrowAuthorizationMissing or ErrorCodes.EscrowAuthorizationInvalid => Auth,
        ErrorCodes.JobNotCancellable or ErrorCodes.JobNotFinished => Conflict,
        ErrorCodes.ContentIncomplete or ErrorCodes.ContentCorrupt => Integrity,
        ErrorCodes.EscrowInsufficient or ErrorCodes.EscrowAuthorizationInsufficient or ErrorCodes.EscrowAuthorizationExhausted => InsufficientFunds,
        // lease.* are answers to providers, never to a requester; chain.tx_rejected and chain.tx_reverted (the node or
        // the contract said no) and anything unknown are a generic failure.
        _ => Failure,
    };

    /// <summary>
    /// The exit status of <c>og submit --follow</c> / <c>og logs -f</c> for a job that ended in <paramref name="state"/>:
    /// succeeded 0, failed its exit code (1 when it has none), timed_out 124, cancelled 130.
    /// </summary>
    public static int ForJobEnd(string state, int? exitCode) => state switch
    {
        "succeeded" => Ok,
        "failed" => exitCode is > 0 and < 256 ? exitCode.Value : Failure,
        "timed_out" => TimedOut,
        "cancelled" => Interrupted,
        _ => Failure,
    };
}
