using OpenGrid.Core.Jobs;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Testing;

namespace OpenGrid.Core.Tests.Receipts;

/// <summary>The coordinator's acceptance test, one rejection code at a time, on provider A's attempt 3.</summary>
public sealed class ReceiptCheckTests : IDisposable
{
    private readonly TempDir _dir = new("og-receipt-check");
    private readonly ProofPackScenario _scenario;
    private readonly Receipt _receipt;
    private readonly Bytes32 _last;

    public ReceiptCheckTests()
    {
        _scenario = ProofPackScenario.Create(_dir.Path);
        _receipt = _scenario.Receipt(3);
        _last = ReceiptSigning.Hash(_scenario.Receipt(1));
    }

    private static ReceiptDomain Domain => ProofPackScenario.Domain;

    private Rejection? Check(Receipt receipt, byte[]? signature = null, long epoch = 3, string? spec = null, Address? provider = null, Bytes32? last = null) =>
        ReceiptCheck.Validate(receipt, signature ?? ReceiptSigning.Sign(receipt, Domain, _scenario.ProviderA),
            ProofPackScenario.JobId, 3, epoch, ReceiptEncoding.SpecHash(spec ?? ProofPackScenario.ProviderSpecText),
            provider ?? _receipt.Provider, last ?? _last, Domain);

    [Fact]
    public void A_receipt_that_extends_the_providers_chain_is_accepted()
    {
        Assert.Null(Check(_receipt));
    }

    [Fact]
    public void A_providers_first_receipt_follows_the_zero_hash()
    {
        var first = _scenario.Receipt(1);

        Assert.Null(ReceiptCheck.Validate(first, ReceiptSigning.Sign(first, Domain, _scenario.ProviderA), ProofPackScenario.JobId, 1, 1,
            first.SpecHash, first.Provider, Bytes32.Zero, Domain));
    }

    [Fact]
    public void A_signature_by_another_key_is_a_bad_signature()
    {
        var forged = _receipt with { Provider = ProofPackScenario.Owner(_scenario.ProviderB) };
        var signature = ReceiptSigning.Sign(forged, Domain, _scenario.ProviderB);

        Assert.Equal(ErrorCodes.ReceiptBadSignature, Check(_receipt, signature)?.Code);
        Assert.Equal(ErrorCodes.ReceiptBadSignature, Check(forged, signature)?.Code); // not the lease holder
    }

    [Fact]
    public void A_changed_field_after_signing_is_a_bad_signature()
    {
        var signature = ReceiptSigning.Sign(_receipt, Domain, _scenario.ProviderA);

        var rejection = Check(_receipt with { Usage = _receipt.Usage with { GpuMs = 10 } }, signature);

        Assert.Equal(ErrorCodes.ReceiptBadSignature, rejection?.Code);
        Assert.StartsWith("the receipt is signed by 0x", rejection?.Message);
    }

    [Fact]
    public void A_malformed_signature_says_so()
    {
        Assert.Equal(
            new Rejection(ErrorCodes.ReceiptBadSignature, "the receipt signature is malformed (expected 65 bytes r‖s‖v, v 27 or 28, low s)"),
            Check(_receipt, new byte[64]));
    }

    [Fact]
    public void A_receipt_for_an_older_epoch_is_stale()
    {
        Assert.Equal(
            new Rejection(ErrorCodes.ReceiptStaleEpoch, "the receipt is for epoch 3; the lease's epoch is 4"),
            Check(_receipt, epoch: 4));
    }

    [Fact]
    public void A_receipt_over_another_spec_is_the_wrong_spec()
    {
        Assert.Equal(ErrorCodes.ReceiptWrongSpec, Check(_receipt, spec: ProofPackScenario.ProviderSpecText + "\n")?.Code);
    }

    [Fact]
    public void The_last_accepted_receipt_sent_again_is_a_replay()
    {
        Assert.Equal(ErrorCodes.ReceiptReplayed, Check(_receipt, last: ReceiptSigning.Hash(_receipt))?.Code);
    }

    [Fact]
    public void A_receipt_for_another_attempt_is_a_replay()
    {
        var other = _receipt with { Attempt = 2 };

        Assert.Equal(
            new Rejection(ErrorCodes.ReceiptReplayed, $"the receipt is for job {ProofPackScenario.JobId} attempt 2, not job {ProofPackScenario.JobId} attempt 3"),
            Check(other));
    }

    [Fact]
    public void A_receipt_that_skips_the_last_accepted_one_breaks_the_chain()
    {
        var restarted = _receipt with { PrevReceiptHash = Bytes32.Zero };

        Assert.Equal(
            new Rejection(ErrorCodes.ReceiptChainBroken, $"the receipt follows {Bytes32.Zero}, but the provider's last accepted receipt is {_last}"),
            Check(restarted));
    }

    public void Dispose() => _dir.Dispose();
}
