using OpenGrid.Core;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>
/// Leases over the real gateway: the factory runs heartbeat 1 s + grace 1 s, backoff 0.1 s, at most 2 attempts.
/// </summary>
public sealed class LeaseTests
{
    private static readonly UsageView SomeUsage = new(1, 1, 1);

    [Fact]
    public async Task A_silent_providers_lease_moves_to_another_provider_with_a_new_epoch_and_its_late_result_is_rejected()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        var first = await factory.ConnectProviderAsync(Identity.Generate(), "goes-silent");
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("moves", "true"), null, null), default);
        var lease1 = Assert.IsType<Assign>(await first.ReceiveAsync());
        await first.SendAsync(new JobStarted(job.Id, lease1.Epoch));

        // The first provider says nothing more; a second one is alive and gets the job once the lease expires.
        await using var second = await factory.ConnectLiveProviderAsync(Identity.Generate(), "alive");
        var lease2 = Assert.IsType<Assign>(await second.ReceiveAsync());
        Assert.Equal((job.Id, 2), (lease2.JobId, lease2.Attempt));
        Assert.True(lease2.Epoch > lease1.Epoch, $"epoch {lease2.Epoch} after {lease1.Epoch}");

        await first.SendAsync(new JobFinished(job.Id, lease1.Epoch, "succeeded", 0, null, SomeUsage, []));
        var late = await first.ReceiveUntilAsync<Rejected>();
        Assert.Equal(ErrorCodes.LeaseStaleEpoch, late.Code);
        await first.DisposeAsync();

        await second.SendAsync(new JobStarted(job.Id, lease2.Epoch));
        await second.SendAsync(new JobFinished(job.Id, lease2.Epoch, "succeeded", 0, null, SomeUsage, []));
        var end = await EndOfAsync(requester, job.Id);
        Assert.Equal("succeeded", end.State);

        var view = await requester.GetJobAsync(job.Id, default);
        Assert.Equal(2, view.Attempts.Count);
        Assert.Equal("failed", view.Attempts[0].State);
        Assert.Contains("provider silent", view.Attempts[0].Reason);
        Assert.Equal("succeeded", view.Attempts[1].State);
    }

    [Fact]
    public async Task A_job_whose_leases_keep_being_lost_fails_with_the_history_of_its_attempts()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("unlucky", "true"), null, null), default);
        for (var i = 1; i <= 2; i++)
        {
            await using var provider = await factory.ConnectProviderAsync(Identity.Generate(), $"silent-{i}");
            var lease = Assert.IsType<Assign>(await provider.ReceiveAsync());
            Assert.Equal(i, lease.Attempt);
            await provider.ReceiveUntilAsync<CancelLease>();
        }

        var end = await EndOfAsync(requester, job.Id);
        Assert.Equal("failed", end.State);
        Assert.Contains("gave up after 2 attempts", end.Reason);
        Assert.Contains("attempt 1 on", end.Reason);
        Assert.Contains("attempt 2 on", end.Reason);
    }

    [Fact]
    public async Task A_provider_that_reconnects_within_grace_keeps_its_lease_and_its_result_counts()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        var identity = Identity.Generate();
        var before = await factory.ConnectLiveProviderAsync(identity, "blinks");
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("kept", "true"), null, null), default);
        var lease = Assert.IsType<Assign>(await before.ReceiveAsync());
        await before.SendAsync(new JobStarted(job.Id, lease.Epoch));
        await before.DisposeAsync();

        await using var after = await factory.ConnectLiveProviderAsync(identity, "blinks", [new LeaseRef(job.Id, lease.Epoch)]);
        await after.SendAsync(new LogData(job.Id, lease.Epoch, 0, "stdout", "still here\n"));
        await after.SendAsync(new JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, SomeUsage, []));
        var end = await EndOfAsync(requester, job.Id);
        Assert.Equal("succeeded", end.State);
        Assert.Single((await requester.GetJobAsync(job.Id, default)).Attempts);
    }

    [Fact]
    public async Task A_provider_that_reconnects_without_its_lease_loses_it_at_once()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        var identity = Identity.Generate();
        var before = await factory.ConnectLiveProviderAsync(identity, "restarted");
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("forgotten", "true"), null, null), default);
        var lease = Assert.IsType<Assign>(await before.ReceiveAsync());
        await before.DisposeAsync();

        await using var after = await factory.ConnectLiveProviderAsync(identity, "restarted", []);
        var again = await after.ReceiveUntilAsync<Assign>();
        Assert.Equal((job.Id, 2), (again.JobId, again.Attempt));
        Assert.True(again.Epoch > lease.Epoch);
        var first = (await requester.GetJobAsync(job.Id, default)).Attempts[0];
        Assert.Contains("reconnected without this lease", first.Reason);
    }

    [Fact]
    public async Task A_draining_provider_gets_no_new_leases_until_it_resumes()
    {
        await using var factory = new CoordinatorFactory();
        var identity = Identity.Generate();
        await using var provider = await factory.ConnectLiveProviderAsync(identity, "drains");
        var drained = await factory.NewClient(identity).DrainAsync(true, default);
        Assert.True(drained.Draining);
        var providers = await factory.NewClient().ListProvidersAsync(default);
        Assert.Equal("draining", Assert.Single(providers.Providers).State);

        var requester = factory.NewClient();
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("waits", "true"), null, null), default);
        await factory.NewClient(identity).DrainAsync(false, default);
        var lease = await provider.ReceiveUntilAsync<Assign>();
        Assert.Equal(job.Id, lease.JobId);
        // While draining, the only thing that could have leased it is the resume: the job was queued until then.
        Assert.Equal(1, lease.Attempt);
    }


    private static async Task<JobEndView> EndOfAsync(OpenGrid.Protocol.Client.OpenGridClient client, string id)
    {
        JobEndView? end = null;
        await foreach (var e in client.StreamLogsAsync(id, follow: true, default))
            end = e as JobEndView ?? end;
        return end ?? throw new InvalidOperationException("the log stream closed without an end event");
    }
}
