using System.Numerics;
using NBitcoin.Secp256k1;
using Nethereum.Signer;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// secp256k1 signatures over an EIP-712 digest, as OpenZeppelin's ECDSA checks them on chain: 65 bytes
/// <c>r ‖ s ‖ v</c> with v 27 or 28 and a low s. Shared by receipts and job authorizations.
/// </summary>
/// <remarks>
/// The curve arithmetic is NBitcoin.Secp256k1 (a C# port of libsecp256k1): it signs with the recovery id and recovers
/// a key about an order of magnitude faster than Nethereum's BouncyCastle path, which also recovered the key once per
/// signature to work out v. Receipts are signed by every agent for every attempt and checked by the coordinator for
/// every report, so this was most of the CPU a trivial job cost (docs/benchmarks.md).
/// </remarks>
internal static class Eip712Signature
{
    /// <summary>Length of a signature: r (32) ‖ s (32) ‖ v (1).</summary>
    public const int Length = 65;

    // secp256k1 group order / 2: a larger s is the malleable twin of a valid signature.
    private static readonly BigInteger HalfOrder =
        BigInteger.Parse("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", System.Globalization.NumberStyles.HexNumber);

    /// <summary>Signs <paramref name="digest"/> (RFC 6979 nonce, low s, v = 27 + recovery id).</summary>
    public static byte[] Sign(Bytes32 digest, EthECKey key)
    {
        if (!ECPrivKey.TryCreate(key.GetPrivateKeyAsBytes(), out var privateKey) || privateKey is null)
            throw new ArgumentException("not a valid secp256k1 private key", nameof(key));
        using (privateKey)
        {
            if (!privateKey.TrySignRecoverable(digest.Span, out var signature) || signature is null)
                throw new InvalidOperationException("secp256k1 signing failed");
            var bytes = new byte[Length];
            signature.WriteToSpanCompact(bytes.AsSpan(0, 64), out var recoveryId);
            bytes[64] = (byte)(27 + recoveryId);
            return bytes;
        }
    }

    /// <summary>
    /// The address whose key produced <paramref name="signature"/> over <paramref name="digest"/>, or null when the
    /// signature is malformed: not 65 bytes, v not 27/28, r or s zero, or s high.
    /// </summary>
    public static Address? Recover(Bytes32 digest, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != Length || signature[64] is not (27 or 28))
            return null;
        var r = signature[..32].ToArray();
        var s = signature[32..64].ToArray();
        var sValue = new BigInteger(s, isUnsigned: true, isBigEndian: true);
        if (sValue.IsZero || sValue > HalfOrder || new BigInteger(r, isUnsigned: true, isBigEndian: true).IsZero)
            return null;
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(signature[..64], signature[64] - 27, out var recoverable)
            || recoverable is null
            || !ECPubKey.TryRecover(Context.Instance, recoverable, digest.Span, out var publicKey)
            || publicKey is null)
            return null; // r is not the x of a curve point, or the point is at infinity
        Span<byte> uncompressed = stackalloc byte[65];
        publicKey.WriteToSpan(compressed: false, uncompressed, out _);
        var hash = Eip712Struct.Keccak(uncompressed[1..].ToArray());
        return Address.TryParse("0x" + Convert.ToHexStringLower(hash.AsSpan(12)), out var address) ? address : null;
    }

    /// <summary>keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash): what EIP-712 signs.</summary>
    public static Bytes32 Digest(Bytes32 domainSeparator, Bytes32 structHash)
    {
        var message = new byte[2 + 2 * Bytes32.Length];
        message[0] = 0x19;
        message[1] = 0x01;
        domainSeparator.Span.CopyTo(message.AsSpan(2));
        structHash.Span.CopyTo(message.AsSpan(2 + Bytes32.Length));
        return Bytes32.From(Eip712Struct.Keccak(message));
    }
}
