using Nethereum.Web3;

namespace OpenGrid.Chain.Receipts;

/// <summary>
/// Typed client of ReceiptVerifier: the stateless contract whose address is the <c>verifyingContract</c> of the EIP-712
/// domain receipts are signed in when payments are on (docs/receipts.md). Only views: checking a receipt costs no gas.
/// </summary>
public sealed class ReceiptVerifierClient(IWeb3 web3, string address) : ContractClient(web3, address)
{
    public static async Task<ReceiptVerifierClient> DeployAsync(IWeb3 web3, CancellationToken cancellationToken) =>
        new(web3, await DeployAsync(web3, new ReceiptVerifierDeployment(), cancellationToken).ConfigureAwait(false));

    /// <summary>True when <paramref name="signature"/> (65 bytes, r ‖ s ‖ v) is the receipt's provider's over exactly this receipt.</summary>
    public Task<bool> VerifyAsync(ReceiptTuple receipt, byte[] signature, CancellationToken cancellationToken) =>
        QueryAsync<VerifyReceiptFunction, bool>(new() { Receipt = receipt, Signature = signature }, cancellationToken);

    /// <summary>The address that signed the receipt (reverts on a malformed signature).</summary>
    public Task<string> RecoverSignerAsync(ReceiptTuple receipt, byte[] signature, CancellationToken cancellationToken) =>
        QueryAsync<RecoverSignerFunction, string>(new() { Receipt = receipt, Signature = signature }, cancellationToken);

    /// <summary>The receipt's EIP-712 hashStruct (what the provider's next receipt links to).</summary>
    public Task<byte[]> ReceiptHashAsync(ReceiptTuple receipt, CancellationToken cancellationToken) =>
        QueryAsync<ReceiptHashFunction, byte[]>(new() { Receipt = receipt }, cancellationToken);
}
