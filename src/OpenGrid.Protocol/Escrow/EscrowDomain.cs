using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Protocol.Escrow;

/// <summary>
/// The EIP-712 domain a job authorization is signed in: the same name (<c>OpenGrid</c>) and version (<c>1</c>) as
/// receipts, the settlement chain's id, and the JobEscrow's address as <c>verifyingContract</c> — so a signature is
/// good for exactly one escrow on one chain (contracts/JobEscrow.sol).
/// </summary>
public readonly record struct EscrowDomain(long ChainId, Address Escrow)
{
    /// <summary>keccak256(typeHash ‖ keccak256(name) ‖ keccak256(version) ‖ chainId ‖ escrow), as the contract caches it.</summary>
    public Bytes32 Separator() => new ReceiptDomain(ChainId, Escrow).Separator();
}
