using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using OpenGrid.Chain.Escrow;

namespace OpenGrid.Chain.Relay;

/// <summary>What an escrow event meant for one account.</summary>
public enum EscrowHistoryKind
{
    /// <summary>The account deposited (its available balance grew).</summary>
    Deposited,
    /// <summary>The account withdrew available funds to its wallet.</summary>
    Withdrawn,
    /// <summary>As a requester: a lease locked its cap.</summary>
    LeaseOpened,
    /// <summary>As a requester: a lease closed, refunding what it did not release.</summary>
    LeaseClosed,
    /// <summary>As a provider: verified work was paid into its earnings (after the fee).</summary>
    Released,
    /// <summary>The account withdrew its earnings to its wallet.</summary>
    EarningsWithdrawn,
}

/// <summary>One escrow event of an account: amount in base units, the lease it concerns (if any), where it is on chain.</summary>
public sealed record EscrowHistoryEntry(
    EscrowHistoryKind Kind, BigInteger Amount, byte[]? LeaseId, string? Counterparty,
    string TransactionHash, ulong BlockNumber, ulong LogIndex, DateTimeOffset BlockTime);

/// <summary>
/// Reads an account's escrow history from the chain's logs (<c>eth_getLogs</c> on JobEscrow, filtered by the indexed
/// account), newest first. Read-only: it needs no key.
/// </summary>
public static class EscrowHistory
{
    /// <summary>The account's events from <paramref name="fromBlock"/> (default: the first block) to the latest, newest first.</summary>
    public static async Task<IReadOnlyList<EscrowHistoryEntry>> ReadAsync(
        IWeb3 web3, string escrow, string account, CancellationToken cancellationToken, BlockParameter? fromBlock = null)
    {
        var from = fromBlock ?? BlockParameter.CreateEarliest();
        var topic = "0x" + account.RemoveHexPrefix().ToLowerInvariant().PadLeft(64, '0');
        var entries = new List<(EscrowHistoryEntry Entry, HexBigInteger Block)>();

        async Task Add<TEvent>(int accountTopic, Func<TEvent, (EscrowHistoryKind, BigInteger, byte[]?, string?)> read)
            where TEvent : IEventDTO, new()
        {
            var signature = ABITypedRegistry.GetEvent<TEvent>().Sha3Signature.EnsureHexPrefix();
            object?[] topics = accountTopic == 1 ? [signature, topic] : [signature, null, topic];
            var filter = new NewFilterInput
            {
                Address = [escrow], FromBlock = from, ToBlock = BlockParameter.CreateLatest(), Topics = topics!,
            };
            var logs = await web3.Eth.Filters.GetLogs.SendRequestAsync(filter).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var decoded in logs.DecodeAllEvents<TEvent>())
            {
                var (kind, amount, lease, counterparty) = read(decoded.Event);
                var log = decoded.Log;
                entries.Add((new EscrowHistoryEntry(kind, amount, lease, counterparty, log.TransactionHash,
                    (ulong)log.BlockNumber.Value, (ulong)log.LogIndex.Value, default), log.BlockNumber));
            }
        }

        await Add<DepositedEvent>(1, e => (EscrowHistoryKind.Deposited, e.Amount, null, null)).ConfigureAwait(false);
        await Add<WithdrawnEvent>(1, e => (EscrowHistoryKind.Withdrawn, e.Amount, null, null)).ConfigureAwait(false);
        await Add<LeaseOpenedEvent>(2, e => (EscrowHistoryKind.LeaseOpened, e.Cap, e.LeaseId, e.Provider)).ConfigureAwait(false);
        await Add<LeaseClosedEvent>(2, e => (EscrowHistoryKind.LeaseClosed, e.Refund, e.LeaseId, null)).ConfigureAwait(false);
        await Add<ReleasedEvent>(2, e => (EscrowHistoryKind.Released, e.Amount - e.Fee, e.LeaseId, null)).ConfigureAwait(false);
        await Add<EarningsWithdrawnEvent>(1, e => (EscrowHistoryKind.EarningsWithdrawn, e.Amount, null, null)).ConfigureAwait(false);

        // One block read per distinct block, for its time.
        var times = new Dictionary<ulong, DateTimeOffset>();
        foreach (var (entry, block) in entries)
        {
            if (times.ContainsKey(entry.BlockNumber))
                continue;
            var header = await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber
                .SendRequestAsync(new BlockParameter(block)).WaitAsync(cancellationToken).ConfigureAwait(false);
            times[entry.BlockNumber] = DateTimeOffset.FromUnixTimeSeconds((long)header.Timestamp.Value);
        }
        return entries
            .Select(e => e.Entry with { BlockTime = times[e.Entry.BlockNumber] })
            .OrderByDescending(e => e.BlockNumber).ThenByDescending(e => e.LogIndex)
            .ToList();
    }
}
