using System.Text;
using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Protocol.Receipts;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>
/// Providers get the provider view of a spec (no <c>verify</c>, price, placement or outputs), sign receipts over it,
/// and the proof pack of a verified job still checks offline.
/// </summary>
public sealed class ProviderViewTests
{
    private static readonly UsageView SomeUsage = new(1, 1, 1);

    private static readonly string Verified = JobSpecs.Shell("verified-view", "echo 42 > /out/answer.txt") + """

        outputs:
          - { path: answer.txt, compare: exact }
        price: { maxPerHour: "0.30", mode: milestone }
        verify: { replicas: 2, quorum: 2, adaptive: false }
        placement: { minReputation: 0.2 }
        """;

    [Fact]
    public async Task Providers_never_see_verify_their_receipts_are_accepted_and_the_proof_pack_verifies_offline()
    {
        await using var factory = NewFactory();
        var requester = factory.NewClient();
        var (a, b) = (Identity.Generate(), Identity.Generate());
        await using var first = await factory.ConnectLiveProviderAsync(a, "first");
        await using var second = await factory.ConnectLiveProviderAsync(b, "second");
        var job = await requester.SubmitAsync(new SubmitJobRequest(Verified, null, null), default);
        var answer = await UploadAsync(requester, "42\n");

        var leases = new[] { await first.ReceiveUntilAsync<Assign>(), await second.ReceiveUntilAsync<Assign>() };
        var spec = JobSpecParser.Parse(Verified, "job.yaml").Spec!;
        foreach (var lease in leases)
        {
            Assert.Equal(ProviderSpec.Of(spec), lease.Spec);
            foreach (var hidden in new[] { "verify", "replicas", "price", "placement", "outputs" })
                Assert.DoesNotContain(hidden, lease.Spec, StringComparison.Ordinal);
        }
        // Replica 0 and its replica read the same: the text does not say which is which.
        Assert.Equal(leases[0].Spec, leases[1].Spec);

        await FinishSignedAsync(first, leases[0], a, answer);
        await FinishSignedAsync(second, leases[1], b, answer);
        await WaitFor.ConditionAsync(async () => (await requester.GetJobAsync(job.Id, default)).State == "succeeded",
            TimeSpan.FromSeconds(30), "the verified job to succeed");

        var pack = await requester.GetProofAsync(job.Id, default);
        Assert.Equal(ProviderSpec.Of(spec), pack.ProviderSpec);
        Assert.Equal(2, pack.Attempts.Count);
        using var dir = new TempDir("og-view-proof");
        await File.WriteAllTextAsync(dir.Combine("answer.txt"), "42\n");
        var checks = await ProofVerifier.VerifyAsync(pack, dir.Path, default);
        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Check}: {c.Detail}"));
        Assert.Contains(checks, c => c.Check == "provider spec");

        var tampered = await ProofVerifier.VerifyAsync(pack with { Spec = Verified.Replace("echo 42", "echo 43", StringComparison.Ordinal) }, dir.Path, default);
        Assert.Contains(tampered, c => c is { Check: "provider spec", Ok: false });
        Assert.Contains(tampered, c => c is { Check: "attempt 1 runtime", Ok: false });
    }

    [Fact]
    public async Task A_receipt_over_the_requesters_spec_text_instead_of_what_the_provider_got_is_refused()
    {
        await using var factory = NewFactory();
        var requester = factory.NewClient();
        var identity = Identity.Generate();
        await using var provider = await factory.ConnectLiveProviderAsync(identity, "reads-the-spec");
        var text = JobSpecs.Shell("plain", "true");
        var job = await requester.SubmitAsync(new SubmitJobRequest(text, null, null), default);
        var lease = await provider.ReceiveUntilAsync<Assign>();

        var spec = JobSpecParser.Parse(text, "job.yaml").Spec!;
        var receipt = ReceiptFactory.Create(lease.JobId, lease.Attempt, lease.Epoch, text, spec, [], [],
            new ReceiptUsage(1000, 1000, 0, 1), 0, DateTimeOffset.UtcNow, identity.Address, Bytes32.Zero);
        await provider.SendAsync(Finished(lease, receipt, identity, []));

        var refused = await provider.ReceiveUntilAsync<Rejected>();
        Assert.Equal(ErrorCodes.ReceiptWrongSpec, refused.Code);
        Assert.Equal("failed", (await requester.GetJobAsync(job.Id, default)).State);
    }

    private static CoordinatorFactory NewFactory()
    {
        var factory = new CoordinatorFactory();
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";
        factory.Settings["Coordinator:Trust:MaxExtraReplicas"] = "0";
        return factory;
    }

    private static async Task<ContentPutResponse> UploadAsync(OpenGridClient client, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return await client.UploadAsync(new MemoryStream(bytes), bytes.Length, null, default);
    }

    /// <summary>Reports the lease finished with one output and a receipt over exactly the spec text it received.</summary>
    private static async Task FinishSignedAsync(FakeProviderConnection provider, Assign lease, Identity identity, ContentPutResponse output)
    {
        var spec = JobSpecParser.Parse(lease.Spec, "job.yaml").Spec!;
        var outputs = new[] { new OutputFileView("answer.txt", output.Cid, output.Size) };
        var receipt = ReceiptFactory.Create(lease.JobId, lease.Attempt, lease.Epoch, lease.Spec, spec, [],
            [new ReceiptOutput("answer.txt", Core.Content.Cid.Parse(output.Cid), output.Size)],
            new ReceiptUsage(1000, 1000, 0, 1), 0, DateTimeOffset.UtcNow, identity.Address, Bytes32.Zero);
        await provider.SendAsync(new JobStarted(lease.JobId, lease.Epoch));
        await provider.SendAsync(Finished(lease, receipt, identity, outputs));
    }

    private static JobFinished Finished(Assign lease, Receipt receipt, Identity identity, IReadOnlyList<OutputFileView> outputs) =>
        new(lease.JobId, lease.Epoch, "succeeded", 0, null, SomeUsage, outputs, ReceiptView.From(receipt),
            ReceiptSigning.FormatSignature(ReceiptSigning.Sign(receipt, ReceiptDomain.Offline, identity)));
}
