using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Chain.Tests.Anvil;

/// <summary>
/// The ReceiptVerifier that <see cref="ChainDeployer"/> deploys with the other contracts, on a real anvil through the
/// typed client: a receipt signed in C# for the domain {dev chain, that contract} verifies, and the same receipt signed
/// for the offline domain (payments off) does not.
/// </summary>
[Trait("Category", "Anvil")]
public sealed class ReceiptVerifierOnAnvilTests(AnvilFixture anvil) : IClassFixture<AnvilFixture>, IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDir _dir = new("og-receipt-anvil");

    [Fact]
    public async Task The_deployed_receipt_verifier_accepts_a_receipt_signed_for_its_domain_and_refuses_the_offline_one()
    {
        var p = await AnvilParties.DeployAsync(anvil.Chain);
        var scenario = ProofPackScenario.Create(_dir.Path);
        var receipt = scenario.Receipt(3);
        var domain = new ReceiptDomain(Dev.DevChain.ChainId, Address.Parse(p.Addresses.ReceiptVerifier));
        var signed = ReceiptSigning.Sign(receipt, domain, scenario.ProviderA);
        var offline = ReceiptSigning.Sign(receipt, ReceiptDomain.Offline, scenario.ProviderA);
        var verifier = p.Requester.ReceiptVerifier;

        Assert.True(ChainAddress.IsValid(verifier.Address) && verifier.Address != ChainAddress.Zero, $"a ReceiptVerifier was deployed, got {verifier.Address}");
        Assert.True(await verifier.VerifyAsync(ReceiptTuples.From(receipt), signed, None));
        Assert.Equal(receipt.Provider.Value, (await verifier.RecoverSignerAsync(ReceiptTuples.From(receipt), signed, None)).ToLowerInvariant());
        Assert.Equal(ReceiptSigning.Hash(receipt).ToArray(), await verifier.ReceiptHashAsync(ReceiptTuples.From(receipt), None));
        Assert.False(await verifier.VerifyAsync(ReceiptTuples.From(receipt), offline, None));
    }

    public void Dispose() => _dir.Dispose();
}
