using System.Numerics;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Model;
using Nethereum.RLP;
using Nethereum.Signer;

namespace OpenGrid.Chain.Relay;

/// <summary>
/// A signed transaction as a user's wallet (the dashboard) made it, decoded: who signed it (recovered from the
/// signature), for which chain, to whom, with what value and call data. Legacy (EIP-155, with a chain id) and
/// EIP-1559 transactions; anything else is refused.
/// </summary>
public sealed record UserTransaction(string Sender, BigInteger ChainId, BigInteger Nonce, string? To, BigInteger Value, byte[] Data)
{
    /// <summary>Decodes 0x-prefixed hex; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static UserTransaction? TryDecode(string? raw, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(raw) || !raw.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || raw.Length < 4 || !raw.IsHex())
        {
            error = "rawTransaction must be the signed transaction as 0x-prefixed hex";
            return null;
        }
        ISignedTransaction tx;
        try
        {
            tx = TransactionFactory.CreateTransaction(raw);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"rawTransaction is not a signed transaction this coordinator can read: {e.Message}";
            return null;
        }
        try
        {
            return tx switch
            {
                Transaction1559 t => new UserTransaction(SenderOf(tx), t.ChainId, t.Nonce ?? 0, NullIfEmpty(t.ReceiverAddress),
                    t.Amount ?? 0, t.Data is null ? [] : t.Data.HexToByteArray()),
                LegacyTransactionChainId t => new UserTransaction(SenderOf(tx), t.GetChainIdAsBigInteger(), t.Nonce.ToBigIntegerFromRLPDecoded(),
                    NullIfEmpty(t.ReceiveAddress?.ToHex(true)), t.Value.ToBigIntegerFromRLPDecoded(), t.Data ?? []),
                LegacyTransaction => Refuse(out error, "a legacy transaction without a chain id (EIP-155) could be replayed on another chain; sign it with the chain id"),
                _ => Refuse(out error, $"transactions of type {tx.TransactionType} are not relayed; sign a legacy (EIP-155) or EIP-1559 transaction"),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"rawTransaction's signature does not recover a sender: {e.Message}";
            return null;
        }
    }

    private static UserTransaction? Refuse(out string? error, string why)
    {
        error = why;
        return null;
    }

    private static string SenderOf(ISignedTransaction tx) => tx.GetKey().GetPublicAddress();

    private static string? NullIfEmpty(string? address) =>
        string.IsNullOrEmpty(address) || address == "0x" ? null : address;
}
