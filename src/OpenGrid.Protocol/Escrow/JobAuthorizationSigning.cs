using Nethereum.Signer;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol.Escrow;

/// <summary>
/// EIP-712 hashing, signing and recovery of a <see cref="JobAuthorization"/>, exactly as
/// <c>JobEscrow.authorizationDigest</c> and <c>openLease</c> do on chain. The signature is 65 bytes
/// <c>r ‖ s ‖ v</c> with v 27 or 28 and a low s (OpenZeppelin's ECDSA).
/// </summary>
public static class JobAuthorizationSigning
{
    /// <summary>The EIP-712 type; the nonce is not part of it (it only ties the job key to the spec off chain).</summary>
    public const string AuthorizationType = "JobAuthorization(bytes32 job,uint128 maxRatePerHour,uint128 maxTotal,uint64 deadline)";

    /// <summary>The job's key in the escrow: keccak256(specHash ‖ nonce), 32 bytes each.</summary>
    public static Bytes32 JobKey(Bytes32 specHash, ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != JobAuthorization.KeyLength)
            throw new ArgumentException($"A nonce is {JobAuthorization.KeyLength} bytes, not {nonce.Length}.", nameof(nonce));
        var data = new byte[2 * Bytes32.Length];
        specHash.Span.CopyTo(data);
        nonce.CopyTo(data.AsSpan(Bytes32.Length));
        return Bytes32.From(Eip712Struct.Keccak(data));
    }

    /// <summary>hashStruct(JobAuthorization): typeHash ‖ job ‖ maxRatePerHour ‖ maxTotal ‖ deadline.</summary>
    public static Bytes32 Hash(JobAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return Bytes32.From(new Eip712Struct(AuthorizationType)
            .Bytes32(Bytes32.From(authorization.Job))
            .Uint(Amount(authorization.MaxRatePerHour, nameof(JobAuthorization.MaxRatePerHour)))
            .Uint(Amount(authorization.MaxTotal, nameof(JobAuthorization.MaxTotal)))
            .Uint(authorization.DeadlineSeconds)
            .HashStruct());
    }

    /// <summary>What the requester signs: keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(authorization)).</summary>
    public static Bytes32 Digest(JobAuthorization authorization, EscrowDomain domain) =>
        Eip712Signature.Digest(domain.Separator(), Hash(authorization));

    /// <summary>The authorization with the requester's signature in <see cref="JobAuthorization.Signature"/>.</summary>
    public static JobAuthorization Sign(JobAuthorization authorization, EscrowDomain domain, Identity.Identity requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        return authorization with { Signature = Eip712Signature.Sign(Digest(authorization, domain), new EthECKey(requester.PrivateKeyHex)) };
    }

    /// <summary>Who signed the authorization in this domain, or null when its signature is malformed.</summary>
    public static Address? RecoverSigner(JobAuthorization authorization, EscrowDomain domain)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return Eip712Signature.Recover(Digest(authorization, domain), authorization.Signature);
    }

    private static ulong Amount(TokenAmount amount, string name) => ReceiptEncoding.Unsigned(amount.BaseUnits, name);
}
