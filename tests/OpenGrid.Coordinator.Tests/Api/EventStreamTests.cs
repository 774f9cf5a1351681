using System.Net;
using System.Net.Http.Json;
using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

/// <summary>
/// The push endpoints: the requester's job events, resumable log streams with state events, and provider events.
/// Jobs are driven through the real gateway by <see cref="FakeProviderConnection"/>; every wait has a deadline.
/// </summary>
public sealed class EventStreamTests
{
    private static readonly UsageView SomeUsage = new(1, 1, 1);

    [Fact]
    public async Task Job_events_start_with_a_snapshot_then_follow_each_change_of_the_callers_jobs_only()
    {
        await using var factory = new CoordinatorFactory();
        var alice = factory.NewClient();
        var bob = factory.NewClient();
        var earlier = await alice.SubmitAsync(Spec("earlier"), default);
        await alice.CancelAsync(earlier.Id, default);
        await using var provider = await factory.ConnectLiveProviderAsync(Identity.Generate(), "runs-both");

        await using var events = await EventStreamReader.OpenAsync(factory.CreateClient(), "/v1/jobs/events", await alice.GetTokenAsync(default));
        var snapshot = await events.NextAsync("the snapshot") ?? throw new InvalidOperationException("the stream ended before its snapshot");
        Assert.Equal("snapshot", snapshot.Name);
        var listed = Assert.Single(snapshot.Json(OpenGridJsonContext.Default.JobListView).Jobs);
        Assert.Equal((earlier.Id, "cancelled"), (listed.Id, listed.State));

        // Bob's job changes first (submitted, then leased): a stream that leaked it would show it before Alice's.
        var foreign = await bob.SubmitAsync(Spec("bobs"), default);
        await ReceiveAssignAsync(provider, foreign.Id);
        var job = await alice.SubmitAsync(Spec("alices"), default);
        var first = await events.NextAsync("the job event of Alice's new job") ?? throw new InvalidOperationException("the stream ended");
        Assert.Equal("job", first.Name);
        Assert.Equal(job.Id, first.Json(OpenGridJsonContext.Default.JobView).Id);

        var lease = await ReceiveAssignAsync(provider, job.Id);
        await provider.SendAsync(new JobStarted(job.Id, lease.Epoch));
        var (running, beforeRunning) = await events.UntilAsync("job", e => IsJob(e, job.Id, "running"), "Alice's job to show running");
        await provider.SendAsync(new JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, SomeUsage, []));
        var (succeeded, beforeSucceeded) = await events.UntilAsync("job", e => IsJob(e, job.Id, "succeeded"), "Alice's job to show succeeded");

        var seen = new[] { first, running, succeeded }.Concat(beforeRunning).Concat(beforeSucceeded).ToList();
        Assert.All(seen, e => Assert.Equal("job", e.Name));
        Assert.All(seen, e => Assert.Equal(alice.Identity.Address.Value, e.Json(OpenGridJsonContext.Default.JobView).Requester));
        Assert.Equal(0, succeeded.Json(OpenGridJsonContext.Default.JobView).ExitCode);
    }

    [Fact]
    public async Task Job_events_with_a_state_filter_send_a_job_entering_that_state_and_once_more_leaving_it()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        await using var provider = await factory.ConnectLiveProviderAsync(Identity.Generate(), "filtered");
        await using var events = await EventStreamReader.OpenAsync(factory.CreateClient(), "/v1/jobs/events?state=running", await requester.GetTokenAsync(default));
        var snapshot = await events.NextAsync("the snapshot");
        Assert.Empty(snapshot!.Json(OpenGridJsonContext.Default.JobListView).Jobs);

        var job = await requester.SubmitAsync(Spec("enters-and-leaves"), default);
        var lease = await ReceiveAssignAsync(provider, job.Id);
        await provider.SendAsync(new JobStarted(job.Id, lease.Epoch));
        var entered = await events.NextAsync("the job entering running");
        Assert.True(IsJob(entered!, job.Id, "running"), $"expected the job running first, got {entered}");
        await provider.SendAsync(new JobFinished(job.Id, lease.Epoch, "failed", 3, "exit 3", SomeUsage, []));
        var left = await events.NextAsync("the job leaving running");
        Assert.True(IsJob(left!, job.Id, "failed"), $"expected the job failed next, got {left}");
    }

    [Fact]
    public async Task Job_events_refuse_an_unknown_state_and_a_missing_token()
    {
        await using var factory = new CoordinatorFactory();
        var http = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/jobs/events")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", await factory.NewClient().GetTokenAsync(default));
        var response = await http.GetAsync("/v1/jobs/events?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.RequestInvalid, (await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView))!.Code);
    }

    [Fact]
    public async Task Log_stream_resumes_after_Last_Event_ID_without_replaying_and_sends_state_events_before_end()
    {
        await using var factory = new CoordinatorFactory();
        var client = factory.NewClient();
        var token = await client.GetTokenAsync(default);
        var http = factory.CreateClient();
        await using var provider = await factory.ConnectLiveProviderAsync(Identity.Generate(), "logs");
        var job = await client.SubmitAsync(Spec("resumable"), default);
        var lease = await ReceiveAssignAsync(provider, job.Id);
        await provider.SendAsync(new JobStarted(job.Id, lease.Epoch));
        string[] lines = ["one\n", "two\n", "three\n"];
        for (var seq = 0; seq < lines.Length; seq++)
            await provider.SendAsync(new LogData(job.Id, lease.Epoch, seq, "stdout", lines[seq]));

        var ids = new List<string>();
        await using (var live = await EventStreamReader.OpenAsync(http, $"/v1/jobs/{job.Id}/logs?follow=true", token))
        {
            var (last, before) = await live.UntilAsync("log", e => e.Json(OpenGridJsonContext.Default.LogChunkView).Text == "three\n", "the third log line");
            foreach (var log in before.Append(last).Where(e => e.Name == "log"))
            {
                Assert.Equal(log.Json(OpenGridJsonContext.Default.LogChunkView).Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), log.Id);
                ids.Add(log.Id!);
            }
            Assert.Equal("state", before[0].Name); // a follower learns the job's state before anything else
        }
        Assert.Equal(3, ids.Count);

        await using (var resumed = await EventStreamReader.OpenAsync(http, $"/v1/jobs/{job.Id}/logs", token, lastEventId: ids[0]))
        {
            var replay = await resumed.ToEndAsync("the rest of the log after the first line");
            Assert.Equal(["two\n", "three\n"], replay.Select(e => e.Json(OpenGridJsonContext.Default.LogChunkView).Text));
            Assert.Equal(ids[1..], replay.Select(e => e.Id));
        }
        await using (var resumed = await EventStreamReader.OpenAsync(http, $"/v1/jobs/{job.Id}/logs?after={ids[1]}", token))
        {
            var replay = await resumed.ToEndAsync("the log after the second line");
            Assert.Equal(["three\n"], replay.Select(e => e.Json(OpenGridJsonContext.Default.LogChunkView).Text));
        }

        await provider.SendAsync(new LogData(job.Id, lease.Epoch, 3, "stdout", "four\n"));
        await provider.SendAsync(new JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, SomeUsage, []));
        var items = new List<object>();
        using var deadline = new CancellationTokenSource(EventStreamReader.Timeout);
        await foreach (var item in client.StreamLogsAsync(job.Id, follow: true, after: long.Parse(ids[2], System.Globalization.CultureInfo.InvariantCulture), deadline.Token))
            items.Add(item);

        Assert.Equal("four\n", Assert.Single(items.OfType<LogChunkView>()).Text);
        Assert.Equal("succeeded", Assert.IsType<JobEndView>(items[^1]).State);
        var finalState = Assert.IsType<JobView>(items[^2]);
        Assert.Equal(("succeeded", 0), (finalState.State, finalState.ExitCode));
    }

    [Fact]
    public async Task Log_stream_refuses_a_Last_Event_ID_that_is_not_a_chunk_id()
    {
        await using var factory = new CoordinatorFactory();
        var client = factory.NewClient();
        var job = await client.SubmitAsync(Spec("bad-resume"), default);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{job.Id}/logs");
        request.Headers.Authorization = new("Bearer", await client.GetTokenAsync(default));
        request.Headers.Add("Last-Event-ID", "yesterday");
        var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.RequestInvalid, (await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView))!.Code);
    }

    [Fact]
    public async Task Provider_events_report_a_connect_busy_and_idle_with_leases_and_a_disconnect()
    {
        await using var factory = new CoordinatorFactory();
        await using var events = await EventStreamReader.OpenAsync(factory.CreateClient(), "/v1/providers/events");
        var snapshot = await events.NextAsync("the providers snapshot");
        Assert.Equal("snapshot", snapshot!.Name);
        Assert.Empty(snapshot.Json(OpenGridJsonContext.Default.ProviderListView).Providers);

        var identity = Identity.Generate();
        var address = identity.Address.Value;
        await using var provider = await factory.ConnectLiveProviderAsync(identity, "comes-and-goes");
        await events.UntilAsync("provider", e => IsProvider(e, address, "idle"), "the provider to connect idle");

        var requester = factory.NewClient();
        var job = await requester.SubmitAsync(Spec("keeps-it-busy"), default);
        var lease = await ReceiveAssignAsync(provider, job.Id);
        var (busy, _) = await events.UntilAsync("provider", e => IsProvider(e, address, "busy"), "the provider to turn busy");
        Assert.Equal(job.Id, busy.Json(OpenGridJsonContext.Default.ProviderView).CurrentJob);
        await provider.SendAsync(new JobFinished(job.Id, lease.Epoch, "succeeded", 0, null, SomeUsage, []));
        await events.UntilAsync("provider", e => IsProvider(e, address, "idle"), "the provider to turn idle again");

        await provider.DisposeAsync();
        await events.UntilAsync("provider", e => IsProvider(e, address, "offline"), "the provider to go offline");
    }

    private static SubmitJobRequest Spec(string name) => new(JobSpecs.Shell(name, "true"), null, null);

    private static bool IsJob(ServerSentEvent e, string id, string state) =>
        e.Name == "job" && e.Json(OpenGridJsonContext.Default.JobView) is var view && view.Id == id && view.State == state;

    private static bool IsProvider(ServerSentEvent e, string address, string state) =>
        e.Json(OpenGridJsonContext.Default.ProviderView) is var view && view.Address == address && view.State == state;

    private static async Task<Assign> ReceiveAssignAsync(FakeProviderConnection provider, string jobId)
    {
        while (true)
        {
            if (await provider.ReceiveAsync() is Assign assign && assign.JobId == jobId)
                return assign;
        }
    }
}
