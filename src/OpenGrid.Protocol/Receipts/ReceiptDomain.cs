using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// The EIP-712 domain receipts are signed in:
/// <c>EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)</c> with name
/// <c>OpenGrid</c> and version <c>1</c>. With payments on, chainId is the settlement chain's (31337 on the dev chain)
/// and verifyingContract the ReceiptVerifier's address; with payments off both are zero (<see cref="Offline"/>),
/// so such a receipt can never pass for one a contract accepts.
/// </summary>
public readonly record struct ReceiptDomain(long ChainId, Address VerifyingContract)
{
    public const string Name = "OpenGrid";
    public const string Version = "1";
    public const string DomainType = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

    /// <summary>Chain id of the dev chain (anvil) that <c>og dev</c> starts.</summary>
    public const long DevChainId = 31337;

    /// <summary>The domain of a coordinator without payments: chainId 0, verifyingContract the zero address.</summary>
    public static ReceiptDomain Offline { get; } = new(0, Address.Parse("0x0000000000000000000000000000000000000000"));

    /// <summary>keccak256(typeHash ‖ keccak256(name) ‖ keccak256(version) ‖ chainId ‖ verifyingContract).</summary>
    public Bytes32 Separator() =>
        Bytes32.From(new Eip712Struct(DomainType)
            .String(Name)
            .String(Version)
            .Uint(ReceiptEncoding.Unsigned(ChainId, nameof(ChainId)))
            .Address(VerifyingContract)
            .HashStruct());
}
