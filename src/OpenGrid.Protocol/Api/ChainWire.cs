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
