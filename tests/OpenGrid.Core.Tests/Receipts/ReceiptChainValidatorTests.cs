using Nethereum.Signer;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Core.Tests.Receipts;

public sealed class ReceiptChainValidatorTests : IDisposable
{
    private readonly TempDir _dir = new("og-receipt-chain");
    private readonly ProofPackScenario _scenario;

    public ReceiptChainValidatorTests() => _scenario = ProofPackScenario.Create(_dir.Path);

    private static ReceiptDomain Domain => ProofPackScenario.Domain;

    /// <summary>
    /// Provider A's receipts 1 and 3, then more up to <paramref name="count"/>, each linked to the one before;
    /// <paramref name="change"/> edits receipt i (from index 2) before the next one links to it.
    /// </summary>
    private List<SignedReceipt> Chain(int count, Func<int, Receipt, Receipt>? change = null)
    {
        var receipts = new List<Receipt> { _scenario.Receipt(1), _scenario.Receipt(3) };
        while (receipts.Count < count)
        {
            var prev = receipts[^1];
            var next = prev with { Attempt = prev.Attempt + 1, Timestamp = prev.Timestamp + 1000, PrevReceiptHash = ReceiptSigning.Hash(prev) };
            receipts.Add(change?.Invoke(receipts.Count, next) ?? next);
        }
        return [.. receipts.Select(r => new SignedReceipt(r, ReceiptSigning.Sign(r, Domain, _scenario.ProviderA)))];
    }

    [Fact]
    public void A_linked_signed_chain_from_the_start_has_no_faults()
    {
        Assert.Empty(ReceiptChainValidator.Validate(Chain(4), Domain, Bytes32.Zero));
    }

    [Fact]
    public void A_link_to_anything_but_the_previous_receipt_is_reported_at_its_index()
    {
        var chain = Chain(4, (i, r) => i == 2 ? r with { PrevReceiptHash = Bytes32.Zero } : r);

        var fault = Assert.Single(ReceiptChainValidator.Validate(chain, Domain));

        Assert.Equal((2, ErrorCodes.ReceiptChainBroken), (fault.Index, fault.Rejection.Code));
    }

    [Fact]
    public void A_chain_that_does_not_start_where_expected_is_broken_at_index_0()
    {
        var fault = Assert.Single(ReceiptChainValidator.Validate(Chain(2)[1..], Domain, Bytes32.Zero));

        Assert.Equal((0, ErrorCodes.ReceiptChainBroken), (fault.Index, fault.Rejection.Code));
    }

    [Fact]
    public void A_timestamp_going_back_is_reported()
    {
        var chain = Chain(3);
        var late = chain[2].Receipt with { Timestamp = chain[1].Receipt.Timestamp - 1 };
        chain[2] = new SignedReceipt(late, ReceiptSigning.Sign(late, Domain, _scenario.ProviderA));

        var fault = Assert.Single(ReceiptChainValidator.Validate(chain, Domain));

        Assert.Equal(2, fault.Index);
        Assert.Contains("before receipt 1", fault.Rejection.Message);
    }

    [Fact]
    public void A_receipt_with_a_bad_signature_or_from_another_provider_is_reported()
    {
        var chain = Chain(3);
        chain[1] = chain[1] with { Signature = chain[0].Signature };
        var stranger = EthECKey.GenerateKey();
        var foreign = chain[2].Receipt with { Provider = ProofPackScenario.Owner(stranger) };
        chain[2] = new SignedReceipt(foreign, ReceiptSigning.Sign(foreign, Domain, stranger));

        var faults = ReceiptChainValidator.Validate(chain, Domain);

        Assert.Equal([(1, ErrorCodes.ReceiptBadSignature), (2, ErrorCodes.ReceiptBadSignature)],
            faults.Select(f => (f.Index, f.Rejection.Code)));
    }

    public void Dispose() => _dir.Dispose();
}
