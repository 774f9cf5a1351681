using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace OpenGrid.Chain;

/// <summary>A mined, successful transaction: its hash, block, gas used and logs (decode them with
/// <see cref="Events{TEvent}"/>).</summary>
public sealed record TxOutcome(string TransactionHash, ulong BlockNumber, BigInteger GasUsed, IReadOnlyList<FilterLog> Logs)
{
    /// <summary>The logs of type <typeparamref name="TEvent"/> emitted by this transaction, in order.</summary>
    public IReadOnlyList<TEvent> Events<TEvent>() where TEvent : IEventDTO, new() =>
        Logs.ToArray().DecodeAllEvents<TEvent>().Select(e => e.Event).ToList();

    /// <summary>The single <typeparamref name="TEvent"/> this transaction emitted; throws if there is not exactly one.</summary>
    public TEvent Event<TEvent>() where TEvent : IEventDTO, new() => Events<TEvent>().Single();

    internal static TxOutcome From(TransactionReceipt receipt, string what)
    {
        if (receipt.Status?.Value != BigInteger.One)
            throw new ContractRevertException("", [], "0x", $"{what}: transaction {receipt.TransactionHash} failed on-chain");
        var logs = receipt.Logs is null ? [] : receipt.Logs.ConvertToFilterLog();
        return new TxOutcome(receipt.TransactionHash, (ulong)receipt.BlockNumber.Value, receipt.GasUsed.Value, logs);
    }
}
