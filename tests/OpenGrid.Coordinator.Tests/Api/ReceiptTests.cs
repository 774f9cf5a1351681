using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>The coordinator's checks of the receipts providers send with <c>job_finished</c>, over the real gateway.</summary>
public sealed class ReceiptTests
{
    private static readonly UsageView SomeUsage = new(1, 1, 1);

    [Fact]
    public async Task A_receipt_changed_after_it_was_signed_is_refused_and_the_attempt_fails()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        var identity = Identity.Generate();
        await using var provider = await factory.ConnectLiveProviderAsync(identity, "inflates");
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("forged", "true"), null, null), default);
        var lease = await provider.ReceiveUntilAsync<Assign>();

        // Signed for a short run, then claims ten times the CPU time.
        var receipt = ReceiptOf(lease, identity.Address, Bytes32.Zero);
        var signature = ReceiptSigning.Sign(receipt, ReceiptDomain.Offline, identity);
        await provider.SendAsync(Finished(lease, receipt with { Usage = receipt.Usage with { CpuMs = 10_000 } }, signature));

        var refused = await provider.ReceiveUntilAsync<Rejected>();
        Assert.Equal(ErrorCodes.ReceiptBadSignature, refused.Code);
        var view = await requester.GetJobAsync(job.Id, default);
        Assert.Equal("failed", view.State);
        Assert.Contains("receipt was refused", view.Reason);
    }

    [Fact]
    public async Task Receipts_must_extend_the_providers_chain_and_the_proof_pack_holds_the_accepted_one()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        var identity = Identity.Generate();
        await using var provider = await factory.ConnectLiveProviderAsync(identity, "chained");

        var first = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("first", "true"), null, null), default);
        var lease = await provider.ReceiveUntilAsync<Assign>();
        var receipt = ReceiptOf(lease, identity.Address, Bytes32.Zero);
        await provider.SendAsync(Finished(lease, receipt, ReceiptSigning.Sign(receipt, ReceiptDomain.Offline, identity)));
        // Redelivered: accepted again, stored once.
        await provider.SendAsync(Finished(lease, receipt, ReceiptSigning.Sign(receipt, ReceiptDomain.Offline, identity)));
        await WaitFor.ConditionAsync(async () => (await requester.GetJobAsync(first.Id, default)).State == "succeeded",
            TimeSpan.FromSeconds(30), "the first job to succeed");

        // The next receipt restarts the chain instead of following the first: refused.
        var second = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("second", "true"), null, null), default);
        var nextLease = await provider.ReceiveUntilAsync<Assign>();
        var restarted = ReceiptOf(nextLease, identity.Address, Bytes32.Zero);
        await provider.SendAsync(Finished(nextLease, restarted, ReceiptSigning.Sign(restarted, ReceiptDomain.Offline, identity)));
        var refused = await provider.ReceiveUntilAsync<Rejected>();
        Assert.Equal(ErrorCodes.ReceiptChainBroken, refused.Code);
        Assert.Equal("failed", (await requester.GetJobAsync(second.Id, default)).State);

        var pack = await requester.GetProofAsync(first.Id, default);
        var attempt = Assert.Single(pack.Attempts);
        Assert.Equal(ReceiptView.From(receipt), attempt.Receipt);
        Assert.Equal(ProofVerdict.Accepted, pack.Verdict.Outcome);
        Assert.Equal([1], pack.Verdict.AgreeingAttempts);
    }

    private static Receipt ReceiptOf(Assign lease, Core.Jobs.Address provider, Bytes32 previous)
    {
        var spec = JobSpecParser.Parse(lease.Spec, "job.yaml").Spec!;
        return ReceiptFactory.Create(lease.JobId, lease.Attempt, lease.Epoch, lease.Spec, spec, [], [],
            new ReceiptUsage(1000, 1000, 0, 1), 0, DateTimeOffset.UtcNow, provider, previous);
    }

    private static JobFinished Finished(Assign lease, Receipt receipt, byte[] signature) =>
        new(lease.JobId, lease.Epoch, "succeeded", 0, null, SomeUsage, [], ReceiptView.From(receipt), ReceiptSigning.FormatSignature(signature));
}
