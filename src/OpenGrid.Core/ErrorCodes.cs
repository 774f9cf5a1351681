namespace OpenGrid.Core;

/// <summary>
/// Stable error codes. The API puts them in ProblemDetails <c>code</c>, the CLI maps them to exit codes.
/// Checklist when adding one: a constant here, its HTTP status in Coordinator/Api/Problems.cs, its exit code in
/// Cli/ExitCodes.cs, a line in docs/api.md.
/// </summary>
public static class ErrorCodes
{
    public const string SpecInvalid = "spec.invalid";
    public const string SpecUnsatisfiable = "spec.unsatisfiable";
    public const string InputMissing = "input.missing";
    public const string JobNotFound = "job.not_found";
    public const string JobNotCancellable = "job.not_cancellable";
    public const string JobNotFinished = "job.not_finished";
    public const string ContentNotFound = "content.not_found";
    public const string ContentTooLarge = "content.too_large";
    public const string ContentIncomplete = "content.incomplete";
    public const string ContentCorrupt = "content.corrupt";
    public const string ContentInvalidCid = "content.invalid_cid";
    public const string AuthRequired = "auth.required";
    public const string AuthInvalidSignature = "auth.invalid_signature";
    public const string AuthChallengeExpired = "auth.challenge_expired";
    public const string Forbidden = "auth.forbidden";
    public const string LeaseNotYours = "lease.not_yours";
    public const string LeaseStaleEpoch = "lease.stale_epoch";
    public const string RequestInvalid = "request.invalid";
    /// <summary>The requester's escrow balance does not cover the job's worst case (deposit more).</summary>
    public const string EscrowInsufficient = "escrow.insufficient";
    /// <summary>Payments are on and the submit carries no job authorization for the escrow (sign one: og submit does).</summary>
    public const string EscrowAuthorizationMissing = "escrow.authorization_missing";
    /// <summary>The job authorization is malformed, not the requester's signature for this escrow, not for this spec, or expired.</summary>
    public const string EscrowAuthorizationInvalid = "escrow.authorization_invalid";
    /// <summary>The job authorization's max rate or max total is below the job's worst case.</summary>
    public const string EscrowAuthorizationInsufficient = "escrow.authorization_insufficient";
    /// <summary>
    /// The job's authorization has too little left for another lease (its earlier attempts hold or were paid the rest of
    /// its max total): the job fails without a transaction. A job's failure reason, not an answer to a request.
    /// </summary>
    public const string EscrowAuthorizationExhausted = "escrow.authorization_exhausted";
    /// <summary>This coordinator settles no payments: no chain is configured.</summary>
    public const string ChainNotConfigured = "chain.not_configured";
    /// <summary>The chain node did not answer; try again later.</summary>
    public const string ChainUnavailable = "chain.unavailable";
    /// <summary>A transaction to relay is not a signed transaction for this chain (malformed, no chain id, another chain).</summary>
    public const string ChainTxInvalid = "chain.tx_invalid";
    /// <summary>A transaction to relay was signed by another account than the one signed in.</summary>
    public const string ChainTxNotYours = "chain.tx_not_yours";
    /// <summary>A transaction to relay is not approve(escrow, amount), deposit, withdraw or withdrawEarnings on this grid's contracts.</summary>
    public const string ChainTxRefused = "chain.tx_refused";
    /// <summary>The chain node refused a relayed transaction (nonce, gas, fees); nothing was mined.</summary>
    public const string ChainTxRejected = "chain.tx_rejected";
    /// <summary>A relayed transaction reverts (before sending, or once mined); the detail names the contract's error.</summary>
    public const string ChainTxReverted = "chain.tx_reverted";
    /// <summary>A receipt's signature is malformed or not the lease holder's over that receipt.</summary>
    public const string ReceiptBadSignature = "receipt.bad_signature";
    /// <summary>A receipt names an epoch other than the lease's current one.</summary>
    public const string ReceiptStaleEpoch = "receipt.stale_epoch";
    /// <summary>A receipt's spec hash is not the hash of the job's stored spec text.</summary>
    public const string ReceiptWrongSpec = "receipt.wrong_spec";
    /// <summary>A receipt was already accepted, or belongs to another job or attempt.</summary>
    public const string ReceiptReplayed = "receipt.replayed";
    /// <summary>A receipt's previous-receipt hash is not the provider's last accepted receipt.</summary>
    public const string ReceiptChainBroken = "receipt.chain_broken";
}

/// <summary>An expected rejection: a stable code and a sentence for a person.</summary>
public sealed record Rejection(string Code, string Message);
