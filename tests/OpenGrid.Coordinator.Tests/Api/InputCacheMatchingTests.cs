using System.Text;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>Equal providers but for their input caches: the one that holds a job's inputs gets it.</summary>
public sealed class InputCacheMatchingTests
{
    [Fact]
    public async Task A_job_goes_to_the_provider_that_already_holds_its_input_whether_it_said_so_in_hello_or_later()
    {
        await using var factory = new CoordinatorFactory();
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";
        var requester = factory.NewClient();
        var first = Encoding.UTF8.GetBytes("model weights, first");
        var second = Encoding.UTF8.GetBytes("model weights, second");
        var firstCid = (await requester.UploadAsync(new MemoryStream(first), first.Length, null, default)).Cid;
        var secondCid = (await requester.UploadAsync(new MemoryStream(second), second.Length, null, default)).Cid;

        // Ties between equal offers go to the lower address: the warm provider gets the higher one, so only its cache
        // can win it the jobs.
        var (low, high) = Ordered(Identity.Generate(), Identity.Generate());
        await using var cold = await factory.ConnectLiveProviderAsync(low, "cold");
        await using var warm = await factory.ConnectLiveProviderAsync(high, "warm", cachedInputs: [firstCid]);
        var job = await requester.SubmitAsync(new SubmitJobRequest(Spec("uses-first", firstCid), null, null), default);
        var lease = await warm.ReceiveUntilAsync<Assign>();
        Assert.Equal(job.Id, lease.JobId);
        await warm.SendAsync(new JobStarted(lease.JobId, lease.Epoch));
        await warm.SendAsync(new JobFinished(lease.JobId, lease.Epoch, "succeeded", 0, null, new UsageView(1, 1, 1), []));

        // The warm provider fetches the second input too and says so; the next job using it follows.
        await warm.SendAsync(new InputsCached([secondCid, firstCid]));
        await WaitFor.ConditionAsync(async () => (await requester.GetJobAsync(job.Id, default)).State == "succeeded",
            TimeSpan.FromSeconds(30), "the first job to succeed");
        var next = await requester.SubmitAsync(new SubmitJobRequest(Spec("uses-second", secondCid), null, null), default);
        var nextLease = await warm.ReceiveUntilAsync<Assign>();
        Assert.Equal(next.Id, nextLease.JobId);
    }

    private static (Identity Low, Identity High) Ordered(Identity a, Identity b) =>
        string.CompareOrdinal(a.Address.Value, b.Address.Value) < 0 ? (a, b) : (b, a);

    private static string Spec(string name, string cid) => JobSpecs.Shell(name, "cat input.bin") + $$"""

        inputs:
          - { path: input.bin, cid: {{cid}} }
        """;
}
