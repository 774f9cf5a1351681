using Nethereum.Signer;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// EIP-712 hashing, signing and recovery of a <see cref="Receipt"/>, as contracts/ReceiptVerifier.sol does on chain.
/// The signature is 65 bytes <c>r ‖ s ‖ v</c> with v 27 or 28 and a low s (as OpenZeppelin's ECDSA requires).
/// </summary>
public static class ReceiptSigning
{
    /// <summary>The EIP-712 type of a receipt; the usage vector is flattened into four members.</summary>
    public const string ReceiptType =
        "Receipt(string jobId,uint32 attempt,uint64 epoch,bytes32 specHash,bytes32 runtimeDigest,bytes32 inputsHash," +
        "bytes32 outputsHash,uint64 wallMs,uint64 cpuMs,uint64 gpuMs,uint64 peakMemoryBytes,int32 exitCode," +
        "uint64 timestamp,address provider,bytes32 prevReceiptHash)";

    /// <summary>Length of a signature: r (32) ‖ s (32) ‖ v (1).</summary>
    public const int SignatureLength = Eip712Signature.Length;

    /// <summary>
    /// The receipt's EIP-712 <c>hashStruct</c>. This is the value the provider's next receipt carries as
    /// <c>prevReceiptHash</c>: it does not depend on the domain, so a chain survives a change of chain or contract.
    /// </summary>
    public static Bytes32 Hash(Receipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var u = receipt.Usage;
        return Bytes32.From(new Eip712Struct(ReceiptType)
            .String(receipt.JobId)
            .Uint(ReceiptEncoding.Unsigned(receipt.Attempt, nameof(Receipt.Attempt)))
            .Uint(ReceiptEncoding.Unsigned(receipt.Epoch, nameof(Receipt.Epoch)))
            .Bytes32(receipt.SpecHash)
            .Bytes32(receipt.RuntimeDigest)
            .Bytes32(receipt.InputsHash)
            .Bytes32(receipt.OutputsHash)
            .Uint(ReceiptEncoding.Unsigned(u.WallMs, nameof(u.WallMs)))
            .Uint(ReceiptEncoding.Unsigned(u.CpuMs, nameof(u.CpuMs)))
            .Uint(ReceiptEncoding.Unsigned(u.GpuMs, nameof(u.GpuMs)))
            .Uint(ReceiptEncoding.Unsigned(u.PeakMemoryBytes, nameof(u.PeakMemoryBytes)))
            .Int(receipt.ExitCode)
            .Uint(ReceiptEncoding.Unsigned(receipt.Timestamp, nameof(Receipt.Timestamp)))
            .Address(receipt.Provider)
            .Bytes32(receipt.PrevReceiptHash)
            .HashStruct());
    }

    /// <summary>What is signed: keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(receipt)).</summary>
    public static Bytes32 Digest(Receipt receipt, ReceiptDomain domain) => Eip712Signature.Digest(domain.Separator(), Hash(receipt));

    /// <summary>Signs the receipt's digest; <paramref name="key"/> must be the receipt's provider.</summary>
    public static byte[] Sign(Receipt receipt, ReceiptDomain domain, EthECKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Address.TryParse(key.GetPublicAddress(), out var signer) || signer != receipt.Provider)
            throw new ArgumentException($"The key of {key.GetPublicAddress()} cannot sign a receipt of provider {receipt.Provider}.", nameof(key));
        return Eip712Signature.Sign(Digest(receipt, domain), key);
    }

    /// <summary>Signs with an account's key (the provider agent's identity).</summary>
    public static byte[] Sign(Receipt receipt, ReceiptDomain domain, Identity.Identity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return Sign(receipt, domain, new EthECKey(identity.PrivateKeyHex));
    }

    /// <summary>
    /// The address whose key produced <paramref name="signature"/> over the receipt's digest, or null when the
    /// signature is malformed: not 65 bytes, v not 27/28, r or s zero, or s high.
    /// </summary>
    public static Address? RecoverSigner(Receipt receipt, ReceiptDomain domain, ReadOnlySpan<byte> signature) =>
        Eip712Signature.Recover(Digest(receipt, domain), signature);

    /// <summary>Reads a signature's wire form: <c>0x</c> and 130 hex digits (65 bytes). False for anything else.</summary>
    public static bool TryParseSignature(string? hex, out byte[] signature)
    {
        signature = [];
        if (hex is null || hex.Length != 2 + 2 * SignatureLength || !hex.StartsWith("0x", StringComparison.Ordinal)
            || hex.AsSpan(2).ContainsAnyExcept(Bytes32.HexDigits))
            return false;
        signature = Convert.FromHexString(hex.AsSpan(2));
        return true;
    }

    /// <summary>The wire form of a signature: <c>0x</c> and lower-case hex.</summary>
    public static string FormatSignature(ReadOnlySpan<byte> signature) => "0x" + Convert.ToHexStringLower(signature);

    /// <summary>True when <paramref name="signature"/> is the receipt provider's over the receipt in this domain.</summary>
    public static bool IsSignedByProvider(Receipt receipt, ReceiptDomain domain, ReadOnlySpan<byte> signature) =>
        RecoverSigner(receipt, domain, signature) == receipt.Provider;
}
