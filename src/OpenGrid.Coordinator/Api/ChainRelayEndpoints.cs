using System.Globalization;
using System.Numerics;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using OpenGrid.Chain;
using OpenGrid.Chain.Relay;
using OpenGrid.Coordinator.Auth;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Api;

/// <summary>
/// The relay that lets a browser deposit and withdraw with the user's own key: <c>GET /v1/chain/account</c> (nonce and
/// fees to sign with), <c>POST /v1/chain/transactions</c> (a transaction the user signed, checked and forwarded with
/// <c>eth_sendRawTransaction</c>) and <c>GET /v1/balance/history</c> (the account's escrow events, from the chain's
/// logs). The coordinator signs nothing and pays no gas here: it only refuses what is not the signed-in account's own
/// approve, deposit, withdraw or withdrawEarnings on this grid's contracts, and passes the rest on unchanged.
/// </summary>
public static partial class ChainRelayEndpoints
{
    private static readonly TimeSpan ReceiptPoll = TimeSpan.FromMilliseconds(250);

    public static void MapChainRelayEndpoints(this IEndpointRouteBuilder app)
    {
        var chain = app.ServiceProvider.GetRequiredService<SettlementChain>();
        // A node client without a key: the relay reads and forwards, it never signs.
        var node = new Lazy<IWeb3>(() => new Web3(chain.Options.RpcUrl));

        app.MapGet("/v1/chain/account", async (ClaimsPrincipal user, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (!chain.Enabled)
                return NotConfigured();
            var account = user.Account().Value;
            try
            {
                var eth = node.Value.Eth;
                var nonce = await eth.Transactions.GetTransactionCount.SendRequestAsync(account, BlockParameter.CreatePending()).WaitAsync(ct);
                var gasPrice = (await eth.GasPrice.SendRequestAsync().WaitAsync(ct)).Value;
                var block = await eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest()).WaitAsync(ct);
                var balance = await eth.GetBalance.SendRequestAsync(account).WaitAsync(ct);
                var (maxFee, priority) = await FeesAsync(node.Value, block.BaseFeePerGas?.Value, gasPrice, ct);
                var o = chain.Options;
                return Results.Ok(new ChainAccountView(account, (long)nonce.Value, o.ChainId, Wei(gasPrice), Wei(maxFee), Wei(priority),
                    Wei(balance.Value), o.TokenAddress!, o.EscrowAddress!, block.BaseFeePerGas is { } b ? Wei(b.Value) : null));
            }
            catch (Exception e) when (IsNodeFailure(e, ct))
            {
                LogChainReadFailed(logs.CreateLogger(typeof(ChainRelayEndpoints)), e, "account", account);
                return Problems.Result(ErrorCodes.ChainUnavailable, $"cannot read the account from the chain: {e.Message}");
            }
        }).WithTags("payments").RequireAuthorization();

        app.MapPost("/v1/chain/transactions", async (RelayTransactionRequest? request, ClaimsPrincipal user, IOptions<SettlementOptions> settlement,
            ILoggerFactory logs, CancellationToken ct) =>
        {
            if (!chain.Enabled)
                return NotConfigured();
            var account = user.Account().Value;
            var o = chain.Options;
            var tx = UserTransaction.TryDecode(request?.RawTransaction, out var invalid);
            if (tx is null)
                return Problems.Result(ErrorCodes.ChainTxInvalid, invalid!);
            if (tx.ChainId != o.ChainId)
                return Problems.Result(ErrorCodes.ChainTxInvalid, $"the transaction is signed for chain {tx.ChainId}, but this grid settles on chain {o.ChainId}");
            if (!string.Equals(tx.Sender, account, StringComparison.OrdinalIgnoreCase))
                return Problems.Result(ErrorCodes.ChainTxNotYours,
                    $"the transaction is signed by {tx.Sender.ToLowerInvariant()}, but you are signed in as {account}; sign it with your own key");
            var deployment = new ChainDeployment(o.TokenAddress!, o.EscrowAddress!, o.RegistryAddress!, o.ReputationAddress!, o.ReceiptVerifierAddress!);
            if (UserCalls.Classify(tx, deployment, out var refusal) is not { } call)
                return Problems.Result(ErrorCodes.ChainTxRefused, $"this coordinator does not relay that transaction: {refusal}");

            var logger = logs.CreateLogger(typeof(ChainRelayEndpoints));
            var web3 = node.Value;
            var callInput = new CallInput(tx.Data.ToHex(true), tx.To!) { From = tx.Sender, Value = new HexBigInteger(tx.Value) };
            try
            {
                // Run it first: a call the contract would refuse is answered with its reason, and costs the user no gas.
                if (await RevertOfCallAsync(web3, callInput, BlockParameter.CreatePending(), ct) is { } refused)
                    return Reverted(refused, null);
                string hash;
                try
                {
                    hash = await web3.Eth.Transactions.SendRawTransaction.SendRequestAsync(request!.RawTransaction).WaitAsync(ct);
                }
                catch (RpcResponseException e)
                {
                    return Problems.Result(ErrorCodes.ChainTxRejected,
                        $"the chain node refused the transaction: {e.RpcError?.Message ?? e.Message} (your account pays the gas in ETH; a nonce already used means it was sent before)");
                }
                LogRelayed(logger, UserCalls.Name(call), account, hash);
                var receipt = await WaitForReceiptAsync(web3, hash, settlement.Value.SendTimeout, ct);
                if (receipt is null)
                    return Problems.Result(ErrorCodes.ChainUnavailable,
                        $"transaction {hash} was sent but not mined within {settlement.Value.SendTimeout.TotalSeconds:0} s; look for it on the chain before sending it again");
                if (receipt.Status?.Value != BigInteger.One)
                {
                    var atBlock = new BlockParameter(receipt.BlockNumber);
                    var reason = await RevertOfCallAsync(web3, callInput, atBlock, ct);
                    return Reverted(reason, hash);
                }
                return Results.Ok(new RelayedTransactionView(hash, (long)receipt.BlockNumber.Value, "succeeded",
                    receipt.GasUsed.Value.ToString(CultureInfo.InvariantCulture), CallName(call)));
            }
            catch (Exception e) when (IsNodeFailure(e, ct))
            {
                LogChainReadFailed(logger, e, "relay", account);
                return Problems.Result(ErrorCodes.ChainUnavailable, $"cannot reach the chain node: {e.Message}");
            }
        }).WithTags("payments").RequireAuthorization();

        app.MapGet("/v1/balance/history", async (ClaimsPrincipal user, IJobStore jobs, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (!chain.Enabled)
                return NotConfigured();
            var account = user.Account();
            try
            {
                var entries = await EscrowHistory.ReadAsync(node.Value, chain.Options.EscrowAddress!, account.Value, ct);
                // Leases this coordinator opened for the account's jobs carry the job's id (one lease per attempt).
                var jobOf = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                if (entries.Any(e => e.LeaseId is not null))
                    foreach (var job in await jobs.ListJobsAsync(account, null, 500, ct))
                        foreach (var attempt in job.Attempts)
                            jobOf[SettlementIntent.LeaseIdOf(job.Id, attempt.Number).Hex] = job.Id.ToString();
                var events = entries.Select(e =>
                {
                    var lease = e.LeaseId?.ToHex(true);
                    return new BalanceEventView(KindName(e.Kind), ChainAmount.FromWire(e.Amount).ToString(), e.TransactionHash,
                        (long)e.BlockNumber, e.BlockTime, lease, lease is not null && jobOf.TryGetValue(lease, out var id) ? id : null,
                        e.Counterparty?.ToLowerInvariant());
                }).ToList();
                return Results.Ok(new BalanceHistoryView(account.Value, events));
            }
            catch (Exception e) when (IsNodeFailure(e, ct))
            {
                LogChainReadFailed(logs.CreateLogger(typeof(ChainRelayEndpoints)), e, "history", account.Value);
                return Problems.Result(ErrorCodes.ChainUnavailable, $"cannot read the escrow's events from the chain: {e.Message}");
            }
        }).WithTags("payments").RequireAuthorization();
    }

    /// <summary>EIP-1559 fees: the node's priority fee (<c>eth_maxPriorityFeePerGas</c>) and twice the base fee on top,
    /// which stays valid through several full blocks. Without a base fee (a pre-London chain) both are the gas price.</summary>
    private static async Task<(BigInteger MaxFee, BigInteger Priority)> FeesAsync(IWeb3 web3, BigInteger? baseFee, BigInteger gasPrice, CancellationToken ct)
    {
        if (baseFee is not { } b)
            return (gasPrice, gasPrice);
        BigInteger priority;
        try
        {
            priority = (await web3.Client.SendRequestAsync<HexBigInteger>(new RpcRequest(1, "eth_maxPriorityFeePerGas")).WaitAsync(ct)).Value;
        }
        catch (RpcResponseException)
        {
            priority = BigInteger.Max(gasPrice - b, BigInteger.Zero); // a node without the method: what its gas price implies
        }
        return (2 * b + priority, priority);
    }

    private static async Task<TransactionReceipt?> WaitForReceiptAsync(IWeb3 web3, string hash, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var receipt = await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(hash).WaitAsync(limit.Token);
                if (receipt is not null)
                    return receipt;
                await Task.Delay(ReceiptPoll, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Runs the call with <c>eth_call</c>; the decoded revert when the contract refuses it, else null.</summary>
    private static async Task<ContractRevertException?> RevertOfCallAsync(IWeb3 web3, CallInput call, BlockParameter block, CancellationToken ct)
    {
        try
        {
            await web3.Eth.Transactions.Call.SendRequestAsync(call, block).WaitAsync(ct);
            return null;
        }
        catch (SmartContractCustomErrorRevertException e)
        {
            return RevertDecoder.Decode(e.ExceptionEncodedData);
        }
        catch (SmartContractRevertException e)
        {
            return new ContractRevertException("Error", [e.RevertMessage], "0x");
        }
        catch (RpcResponseException e) when (e.RpcError?.Message?.Contains("revert", StringComparison.OrdinalIgnoreCase) == true)
        {
            return RevertDecoder.Decode(e.RpcError.Data is null ? null : e.RpcError.GetDataAsString());
        }
    }

    private static IResult Reverted(ContractRevertException? revert, string? hash)
    {
        var reason = revert is null ? "it reverted without a reason" : $"{revert.Message.Replace("contract call ", "", StringComparison.Ordinal)} ({revert.Code})";
        return Problems.Result(ErrorCodes.ChainTxReverted, hash is null
            ? $"the contract refuses this transaction, so it was not sent: {reason}"
            : $"transaction {hash} was mined but reverted: {reason}");
    }

    private static bool IsNodeFailure(Exception e, CancellationToken ct) =>
        e is not OperationCanceledException || !ct.IsCancellationRequested;

    private static string Wei(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static string CallName(UserCall call) => call switch
    {
        UserCall.Approve => "approve",
        UserCall.Deposit => "deposit",
        UserCall.Withdraw => "withdraw",
        UserCall.WithdrawEarnings => "withdrawEarnings",
        _ => call.ToString(),
    };

    private static string KindName(EscrowHistoryKind kind) => kind switch
    {
        EscrowHistoryKind.Deposited => "deposited",
        EscrowHistoryKind.Withdrawn => "withdrawn",
        EscrowHistoryKind.LeaseOpened => "lease_opened",
        EscrowHistoryKind.LeaseClosed => "lease_closed",
        EscrowHistoryKind.Released => "released",
        EscrowHistoryKind.EarningsWithdrawn => "earnings_withdrawn",
        _ => kind.ToString(),
    };

    private static IResult NotConfigured() => Problems.Result(ErrorCodes.ChainNotConfigured,
        "this coordinator settles no payments: no chain is configured (Coordinator:Chain:RpcUrl, see docs/payments.md)");

    [LoggerMessage(Level = LogLevel.Information, Message = "Relayed {Call} from {Account}: {TxHash}")]
    private static partial void LogRelayed(ILogger logger, string call, string account, string txHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chain {What} for {Account} failed")]
    private static partial void LogChainReadFailed(ILogger logger, Exception e, string what, string account);
}
