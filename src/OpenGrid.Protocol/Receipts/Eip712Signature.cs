using System.Numerics;
using Nethereum.Signer;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// secp256k1 signatures over an EIP-712 digest, as OpenZeppelin's ECDSA checks them on chain: 65 bytes
/// <c>r ‖ s ‖ v</c> with v 27 or 28 and a low s. Shared by receipts and job authorizations.
/// </summary>
internal static class Eip712Signature
{
    /// <summary>Length of a signature: r (32) ‖ s (32) ‖ v (1).</summary>
    public const int Length = 65;

    // secp256k1 group order / 2: a larger s is the malleable twin of a valid signature.
    private static readonly BigInteger HalfOrder =
        BigInteger.Parse("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", System.Globalization.NumberStyles.HexNumber);

    /// <summary>Signs <paramref name="digest"/>; Nethereum's signer gives a low s and v 27 or 28.</summary>
    public static byte[] Sign(Bytes32 digest, EthECKey key)
    {
        var signature = key.SignAndCalculateV(digest.ToArray());
        var bytes = new byte[Length];
        Pad32(signature.R).CopyTo(bytes, 0);
        Pad32(signature.S).CopyTo(bytes, 32);
        bytes[64] = signature.V[0];
        return bytes;
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
        try
        {
            var ecdsa = EthECDSASignatureFactory.FromComponents(r, s, signature[64]);
            var key = EthECKey.RecoverFromSignature(ecdsa, digest.ToArray());
            return Address.TryParse(key?.GetPublicAddress(), out var address) ? address : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or ArithmeticException)
        {
            return null; // r is not the x of a curve point, or the point is at infinity
        }
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

    private static byte[] Pad32(byte[] value)
    {
        if (value.Length == 32)
            return value;
        var padded = new byte[32];
        value.AsSpan(Math.Max(0, value.Length - 32)).CopyTo(padded.AsSpan(Math.Max(0, 32 - value.Length)));
        return padded;
    }
}
