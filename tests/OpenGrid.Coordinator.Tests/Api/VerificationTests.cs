using System.Net.Http.Json;
using System.Text;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>
/// N-of-M verification over the real gateway, with providers driven by the test: what the coordinator decides from
/// the results it is given. No extra replicas and no canaries, so every lease is one the test expects.
/// </summary>
public sealed class VerificationTests
{
    private static readonly UsageView SomeUsage = new(1, 1, 1);

    private static string Spec(string name) => JobSpecs.Shell(name, "true") + """

        outputs:
          - { path: answer.txt, compare: exact }
        verify: { replicas: 2, quorum: 2, adaptive: false }
        """;

    [Fact]
    public async Task Two_replicas_that_disagree_with_no_replica_to_spare_fail_the_job_and_move_no_reputation()
    {
        await using var factory = NewFactory();
        var requester = factory.NewClient();
        var (a, b) = (Identity.Generate(), Identity.Generate());
        await using var first = await factory.ConnectLiveProviderAsync(a, "first");
        await using var second = await factory.ConnectLiveProviderAsync(b, "second");
        var job = await requester.SubmitAsync(new SubmitJobRequest(Spec("split-vote"), null, null), default);

        await FinishAsync(first, await UploadAsync(requester, "forty-two\n"));
        await FinishAsync(second, await UploadAsync(requester, "forty-three\n"));

        var end = await EndOfAsync(requester, job.Id);
        Assert.Equal("failed", end.State);
        Assert.Contains("verification failed", end.Reason);
        var view = await requester.GetJobAsync(job.Id, default);
        Assert.Equal(2, view.Replicas!.Count);
        Assert.All(view.Replicas, r => Assert.Equal("disagreed", r.Verdict));
        Assert.Equal(new[] { a.Address.Value, b.Address.Value }.Order(), view.Replicas.Select(r => r.Provider!).Order());
        foreach (var provider in new[] { a, b })
        {
            var reputation = await ReputationAsync(factory, provider.Address.Value);
            Assert.Equal(0.5, reputation.Reputation);
            Assert.Empty(reputation.Events);
        }
    }

    [Fact]
    public async Task Agreeing_replicas_verify_the_job_and_a_redelivered_result_counts_once()
    {
        await using var factory = NewFactory();
        var requester = factory.NewClient();
        var (a, b) = (Identity.Generate(), Identity.Generate());
        await using var first = await factory.ConnectLiveProviderAsync(a, "first");
        await using var second = await factory.ConnectLiveProviderAsync(b, "second");
        var job = await requester.SubmitAsync(new SubmitJobRequest(Spec("agreed"), null, null), default);
        var answer = await UploadAsync(requester, "forty-two\n");

        var lease = await FinishAsync(first, answer);
        var other = await FinishAsync(second, answer);
        var end = await EndOfAsync(requester, job.Id);
        Assert.Equal("succeeded", end.State);

        // At-least-once delivery: both results arrive again after the verdict.
        await first.SendAsync(new JobFinished(lease.JobId, lease.Epoch, "succeeded", 0, null, SomeUsage, [new OutputFileView("answer.txt", answer.Cid, answer.Size)]));
        await second.SendAsync(new JobFinished(other.JobId, other.Epoch, "succeeded", 0, null, SomeUsage, [new OutputFileView("answer.txt", answer.Cid, answer.Size)]));
        var view = await requester.GetJobAsync(job.Id, default);
        Assert.Equal("succeeded", view.State);
        Assert.All(view.Replicas!, r => Assert.Equal("agreed", r.Verdict));
        Assert.Equal(answer.Cid, Assert.Single(view.Outputs).Cid);
        foreach (var provider in new[] { a, b })
        {
            // The verdict is visible before its reputation events are written (the same handler writes them next).
            var reputation = await RecordedAsync(factory, provider.Address.Value);
            Assert.Equal("verified_result", Assert.Single(reputation.Events).Event);
            Assert.True(reputation.Reputation > 0.5, $"a verified result should raise the score, got {reputation.Reputation}");
        }
    }

    [Fact]
    public async Task A_verdict_that_a_restart_interrupted_is_taken_when_the_coordinator_starts_again()
    {
        using var data = new TempDir("opengrid-verdict-restart");
        var requester = Identity.Generate();
        var store = SqliteJobStore.ForFile(Path.Combine(data.Path, "coordinator.db"));
        string jobId;
        ContentPutResponse answer;
        Assign other;
        await using (var before = NewFactory(CoordinatorFactory.Over(data.Path)))
        {
            var client = before.NewClient(requester);
            await using var first = await before.ConnectLiveProviderAsync(Identity.Generate(), "first");
            await using var second = await before.ConnectLiveProviderAsync(Identity.Generate(), "second");
            jobId = (await client.SubmitAsync(new SubmitJobRequest(Spec("interrupted"), null, null), default)).Id;
            answer = await UploadAsync(client, "forty-two\n");
            var finished = JobId.Parse((await FinishAsync(first, answer)).JobId);
            other = await second.ReceiveUntilAsync<Assign>();
            // The first member's result is recorded (in verifying if it is the job, succeeded if a replica).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await store.GetJobAsync(finished, default))!.State is not (JobState.Verifying or JobState.Succeeded))
            {
                Assert.True(DateTime.UtcNow < deadline, "the first member's result was never recorded");
                await Task.Delay(20);
            }
        }

        // The crash: the other member's result is recorded, and the coordinator stops before it evaluates the group.
        var id = JobId.Parse(other.JobId);
        var now = DateTimeOffset.UtcNow;
        await store.TransitionAsync(id, other.Epoch, new JobTransition(JobState.Running, now), default);
        var recorded = await store.TransitionAsync(id, other.Epoch, new JobTransition(JobState.Succeeded, now, 0,
            Usage: new Usage(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1),
            Outputs: [new OutputFile("answer.txt", Cid.Parse(answer.Cid), answer.Size)],
            JobTo: other.JobId == jobId ? JobState.Verifying : null), default);
        Assert.Equal(TransitionOutcome.Applied, recorded.Outcome);
        Assert.Equal(JobState.Verifying, (await store.GetJobAsync(JobId.Parse(jobId), default))!.State);

        await using var after = NewFactory(CoordinatorFactory.Over(data.Path));
        var end = await EndOfAsync(after.NewClient(requester), jobId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(("succeeded", "verified: 2 of 2 replicas agree"), (end.State, end.Reason));
    }

    private static CoordinatorFactory NewFactory(CoordinatorFactory? over = null)
    {
        var factory = over ?? new CoordinatorFactory();
        factory.Settings["Coordinator:Trust:MaxExtraReplicas"] = "0";
        factory.Settings["Coordinator:Trust:CanaryRate"] = "0";
        return factory;
    }

    private static async Task<ContentPutResponse> UploadAsync(OpenGridClient client, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return await client.UploadAsync(new MemoryStream(bytes), bytes.Length, null, default);
    }

    /// <summary>Waits for the provider's lease and reports it finished with one output.</summary>
    private static async Task<Assign> FinishAsync(FakeProviderConnection provider, ContentPutResponse output)
    {
        var lease = await provider.ReceiveUntilAsync<Assign>();
        await provider.SendAsync(new JobStarted(lease.JobId, lease.Epoch));
        await provider.SendAsync(new JobFinished(lease.JobId, lease.Epoch, "succeeded", 0, null, SomeUsage,
            [new OutputFileView("answer.txt", output.Cid, output.Size)]));
        return lease;
    }

    private static async Task<ReputationView> ReputationAsync(CoordinatorFactory factory, string address) =>
        (await factory.CreateClient().GetFromJsonAsync($"v1/providers/{address}/reputation", OpenGridJsonContext.Default.ReputationView))!;

    // The provider's reputation once it has at least one event (up to 30 s).
    private static async Task<ReputationView> RecordedAsync(CoordinatorFactory factory, string address)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var reputation = await ReputationAsync(factory, address);
        while (reputation.Events.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            reputation = await ReputationAsync(factory, address);
        }

        return reputation;
    }


    private static async Task<JobEndView> EndOfAsync(OpenGridClient client, string id)
    {
        JobEndView? end = null;
        await foreach (var e in client.StreamLogsAsync(id, follow: true, default))
            end = e as JobEndView ?? end;
        return end ?? throw new InvalidOperationException("the log stream closed without an end event");
    }
}
