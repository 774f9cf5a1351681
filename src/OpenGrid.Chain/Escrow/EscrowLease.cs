using System.Text;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;
using OpenGrid.Core;

namespace OpenGrid.Chain.Escrow;

/// <summary>
/// A lease id in the escrow (bytes32), as lowercase 0x-hex. Derive it from a stable key such as
/// <c>"{jobId}/{attempt}"</c> so a retried open is recognised (the contract opens an id once).
/// </summary>
public readonly record struct EscrowLeaseId
{
    private EscrowLeaseId(string hex) => Hex = hex;

    public string Hex { get; }

    public byte[] ToBytes() => Hex.HexToByteArray();

    /// <summary>keccak256 of <c>"opengrid/lease/" + key</c> (UTF-8).</summary>
    public static EscrowLeaseId FromKey(string key) =>
        new(Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes("opengrid/lease/" + key)).ToHex(true));

    public static EscrowLeaseId FromBytes(byte[] bytes) =>
        bytes.Length == 32 ? new(bytes.ToHex(true)) : throw new ArgumentException("a lease id is 32 bytes", nameof(bytes));

    public override string ToString() => Hex;
}

/// <summary>Where a lease is in its life. Completed: the milestone was paid; only closing remains.</summary>
public enum EscrowLeaseStatus : byte
{
    None = 0,
    Open = 1,
    Completed = 2,
    Closed = 3,
}

/// <summary>A lease as the escrow stores it. Amounts in base units; <see cref="Locked"/> is what a close would refund.</summary>
public sealed record EscrowLease(
    EscrowLeaseId Id,
    EscrowLeaseStatus Status,
    string Requester,
    string Provider,
    TokenAmount RatePerHour,
    TokenAmount Cap,
    TokenAmount Released,
    ulong PaidSeconds,
    DateTimeOffset ExpiresAt)
{
    /// <summary>The key of the job authorization the lease opened under (32 bytes).</summary>
    public byte[] Job { get; init; } = [];

    public TokenAmount Locked => Status is EscrowLeaseStatus.Open or EscrowLeaseStatus.Completed
        ? TokenAmount.FromBaseUnits(Cap.BaseUnits - Released.BaseUnits)
        : default;
}

/// <summary>An account's balances in the escrow: available (withdrawable), locked in leases, and earnings.</summary>
public sealed record EscrowBalances(TokenAmount Available, TokenAmount Locked, TokenAmount Earnings);
