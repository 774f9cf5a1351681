using OpenGrid.Core;

namespace OpenGrid.Protocol.Receipts;

/// <summary>A receipt and the provider's signature over it.</summary>
public sealed record SignedReceipt(Receipt Receipt, byte[] Signature);

/// <summary>What is wrong with the receipt at <paramref name="Index"/> of a chain.</summary>
public sealed record ReceiptChainFault(int Index, Rejection Rejection);

/// <summary>
/// Checks one provider's consecutive receipts, oldest first: each is signed by the provider, each after the first
/// carries the <see cref="ReceiptSigning.Hash"/> of the one before, and timestamps never go back. The first receipt's
/// link is checked only against <c>expectedFirstPrev</c> when one is given (zero for a chain from the start).
/// </summary>
public static class ReceiptChainValidator
{
    public static IReadOnlyList<ReceiptChainFault> Validate(
        IReadOnlyList<SignedReceipt> chain, ReceiptDomain domain, Bytes32? expectedFirstPrev = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var faults = new List<ReceiptChainFault>();
        if (chain.Count == 0)
            return faults;
        var provider = chain[0].Receipt.Provider;
        for (var i = 0; i < chain.Count; i++)
        {
            var (receipt, signature) = (chain[i].Receipt, chain[i].Signature);
            if (receipt.Provider != provider)
                faults.Add(new(i, new(ErrorCodes.ReceiptBadSignature, $"receipt {i} is from {receipt.Provider}, the chain is {provider}'s")));
            else if (!ReceiptCheck.IsWellFormed(receipt) || !ReceiptSigning.IsSignedByProvider(receipt, domain, signature))
                faults.Add(new(i, new(ErrorCodes.ReceiptBadSignature, $"receipt {i} is not signed by {provider}")));

            if (!ReceiptCheck.IsWellFormed(receipt) || (i > 0 && !ReceiptCheck.IsWellFormed(chain[i - 1].Receipt)))
                continue; // a receipt that cannot be hashed was reported above
            var expected = i == 0 ? expectedFirstPrev : ReceiptSigning.Hash(chain[i - 1].Receipt);
            if (expected is { } prev && receipt.PrevReceiptHash != prev)
                faults.Add(new(i, new(ErrorCodes.ReceiptChainBroken, $"receipt {i} follows {receipt.PrevReceiptHash}, expected {prev}")));
            if (i > 0 && receipt.Timestamp < chain[i - 1].Receipt.Timestamp)
                faults.Add(new(i, new(ErrorCodes.ReceiptChainBroken,
                    $"receipt {i} is timestamped {receipt.Timestamp}, before receipt {i - 1} ({chain[i - 1].Receipt.Timestamp})")));
        }
        return faults;
    }
}
