namespace OpenGrid.Protocol.Api;

/// <summary>
/// What a wallet in the browser needs to sign a transaction for the signed-in account (<c>GET /v1/chain/account</c>):
/// its pending nonce, the chain id, fees in wei as decimal strings (<c>gasPrice</c> for a legacy transaction;
/// <c>maxFeePerGas</c> and <c>maxPriorityFeePerGas</c> for EIP-1559), its ETH balance in wei for gas, the token and
/// escrow addresses it may call, and the latest block's base fee (absent on a chain without EIP-1559: sign legacy).
/// </summary>
public sealed record ChainAccountView(
    string Address,
    long Nonce,
    long ChainId,
    string GasPrice,
    string MaxFeePerGas,
    string MaxPriorityFeePerGas,
    string GasBalance,
    string Token,
    string Escrow,
    string? BaseFeePerGas);

/// <summary>A transaction the user signed, for the coordinator to relay (<c>POST /v1/chain/transactions</c>): 0x-prefixed hex.</summary>
public sealed record RelayTransactionRequest(string? RawTransaction);

/// <summary>
/// A relayed transaction once mined: its hash, block, <c>status</c> (<c>succeeded</c>; a revert answers
/// <c>422 chain.tx_reverted</c> instead), gas used (decimal string), and the call it made
/// (<c>approve</c>, <c>deposit</c>, <c>withdraw</c>, <c>withdrawEarnings</c>).
/// </summary>
public sealed record RelayedTransactionView(string TxHash, long BlockNumber, string Status, string GasUsed, string Call);

/// <summary>An account's escrow events, newest first (<c>GET /v1/balance/history</c>).</summary>
public sealed record BalanceHistoryView(string Address, IReadOnlyList<BalanceEventView> Events);

/// <summary>
/// One escrow event of the account. <c>kind</c>: <c>deposited</c>, <c>withdrawn</c>, <c>lease_opened</c> (cap locked,
/// as requester), <c>lease_closed</c> (amount refunded, as requester), <c>released</c> (earned after the fee, as
/// provider), <c>earnings_withdrawn</c>. <c>amount</c> has 6 decimals; <c>jobId</c> when this coordinator opened the
/// lease; <c>provider</c> for a lease opened; <c>at</c> is the block's time.
/// </summary>
public sealed record BalanceEventView(
    string Kind,
    string Amount,
    string TxHash,
    long BlockNumber,
    DateTimeOffset At,
    string? LeaseId = null,
    string? JobId = null,
    string? Provider = null);

/// <summary>
/// A requester's job authorization on the wire (<c>authorization</c> in <c>POST /v1/jobs</c>): the EIP-712
/// <c>JobAuthorization</c> the escrow checks before it opens any lease of the job. <c>job</c> and <c>nonce</c> are
/// 0x-hex of 32 bytes each, with job = keccak256(specHash ‖ nonce); amounts are decimal USDC strings with at most 6
/// decimals; <c>deadline</c> is unix seconds (no lease opens after it); <c>signature</c> is 0x-hex of 65 bytes.
/// </summary>
public sealed record JobAuthorizationView(
    string? Job,
    string? Nonce,
    string? MaxRatePerHour,
    string? MaxTotal,
    long Deadline,
    string? Signature);

/// <summary>
/// What a job's authorization must cover (in the problem of <c>escrow.authorization_*</c> refusals): the domain (chain id
/// and escrow address), the hash of the spec text the job key must bind, the least <c>maxRatePerHour</c> and
/// <c>maxTotal</c> (decimal USDC strings), and <c>extraReplicas</c>, the replicas beyond <c>verify.replicas</c> the worst
/// case counts.
/// </summary>
public sealed record AuthorizationTermsView(
    long ChainId,
    string Escrow,
    string SpecHash,
    string MaxRatePerHour,
    string MaxTotal,
    int ExtraReplicas);
