using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OpenGrid.Core;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Client;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Identity;
using OpenGrid.Testing;

namespace OpenGrid.Coordinator.Tests.Api;

public sealed class JobsApiTests : IClassFixture<CoordinatorFactory>
{
    private readonly CoordinatorFactory _factory;

    public JobsApiTests(CoordinatorFactory factory) => _factory = factory;

    [Fact]
    public async Task Submitted_job_is_queued_and_can_be_read_listed_and_cancelled()
    {
        var client = _factory.NewClient();
        var submitted = await client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("queued-job", "echo hi"), "job.yaml", null), default);
        Assert.Equal("queued", submitted.State);
        Assert.Equal(client.Identity.Address.Value, submitted.Requester);

        var read = await client.GetJobAsync(submitted.Id, default);
        Assert.Equal("queued-job", read.Name);

        var list = await client.ListJobsAsync(null, default);
        Assert.Contains(list.Jobs, j => j.Id == submitted.Id);
        var running = await client.ListJobsAsync("running", default);
        Assert.DoesNotContain(running.Jobs, j => j.Id == submitted.Id);

        var cancelled = await client.CancelAsync(submitted.Id, default);
        Assert.Equal("cancelled", cancelled.State);
        var again = await client.CancelAsync(submitted.Id, default);
        Assert.Equal("cancelled", again.State);
    }

    [Fact]
    public async Task Invalid_spec_is_answered_422_with_each_error_positioned()
    {
        var client = _factory.NewClient();
        var bad = JobSpecs.Shell("bad-job", "echo hi").Replace("memory: 128Mi", "memory: 2GB");
        var e = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitAsync(new SubmitJobRequest(bad, "bad.yaml", null), default));
        Assert.Equal(422, e.Status);
        Assert.Equal(ErrorCodes.SpecInvalid, e.Code);
        var error = Assert.Single(e.Problem.Errors!);
        Assert.Equal("bad.yaml", error.File);
        Assert.Equal("resources.memory", error.Path);
        Assert.True(error.Line > 0 && error.Column > 0, $"position {error.Line}:{error.Column}");
        Assert.Empty((await client.ListJobsAsync(null, default)).Jobs);
    }

    [Fact]
    public async Task Unknown_or_foreign_job_id_is_404_job_not_found()
    {
        var owner = _factory.NewClient();
        var other = _factory.NewClient();
        var job = await owner.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("private-job", "true"), null, null), default);

        var unknown = await Assert.ThrowsAsync<OpenGridApiException>(() => owner.GetJobAsync(Guid.NewGuid().ToString("N"), default));
        Assert.Equal((404, ErrorCodes.JobNotFound), (unknown.Status, unknown.Code));
        var foreign = await Assert.ThrowsAsync<OpenGridApiException>(() => other.GetJobAsync(job.Id, default));
        Assert.Equal((404, ErrorCodes.JobNotFound), (foreign.Status, foreign.Code));
        var cancel = await Assert.ThrowsAsync<OpenGridApiException>(() => other.CancelAsync(job.Id, default));
        Assert.Equal(ErrorCodes.JobNotFound, cancel.Code);
        Assert.DoesNotContain((await other.ListJobsAsync(null, default)).Jobs, j => j.Id == job.Id);
        Assert.Equal("queued", (await owner.GetJobAsync(job.Id, default)).State);
    }

    [Fact]
    public async Task Spec_is_served_as_the_submitted_yaml_to_its_owner_and_is_404_to_anyone_else()
    {
        var owner = _factory.NewClient();
        var spec = JobSpecs.Shell("spec-back", "echo 'héllo' # kept as written");
        var job = await owner.SubmitAsync(new SubmitJobRequest(spec, "mine.yaml", null), default);
        var http = _factory.CreateClient();

        using var mine = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{job.Id}/spec");
        mine.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await owner.GetTokenAsync(default));
        var response = await http.SendAsync(mine);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("text/yaml", "utf-8"), (response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentType?.CharSet));
        Assert.Equal(spec, await response.Content.ReadAsStringAsync());

        using var theirs = new HttpRequestMessage(HttpMethod.Get, $"/v1/jobs/{job.Id}/spec");
        theirs.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _factory.NewClient().GetTokenAsync(default));
        var foreign = await http.SendAsync(theirs);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(ErrorCodes.JobNotFound, (await foreign.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView))!.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v1/jobs/{job.Id}/spec")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_token_get_401_problem_details_with_code()
    {
        var http = _factory.CreateClient();
        var response = await http.GetAsync("/v1/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView);
        Assert.Equal(ErrorCodes.AuthRequired, problem!.Code);
    }

    [Fact]
    public async Task Token_request_signed_by_another_key_is_refused()
    {
        var http = _factory.CreateClient();
        var victim = Identity.Generate();
        var attacker = Identity.Generate();
        var challenge = await (await http.PostAsJsonAsync("/v1/auth/challenge", new ChallengeRequest(victim.Address.Value),
            OpenGridJsonContext.Default.ChallengeRequest)).Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ChallengeResponse);
        var response = await http.PostAsJsonAsync("/v1/auth/token",
            new TokenRequest(victim.Address.Value, challenge!.Challenge, attacker.SignMessage(challenge.Challenge)),
            OpenGridJsonContext.Default.TokenRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView);
        Assert.Equal(ErrorCodes.AuthInvalidSignature, problem!.Code);
    }

    [Fact]
    public async Task Oversized_upload_is_refused_413_from_its_declared_length_before_the_body_arrives()
    {
        var client = _factory.NewClient();
        var token = await client.GetTokenAsync(default);
        var http = _factory.CreateClient();
        // The declared length is over the cap but no byte follows it. Had the server read the body it would have
        // found it short and answered 400 content.incomplete; 413 means it decided from Content-Length alone.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/content") { Content = new StreamContent(new MemoryStream()) };
        request.Content.Headers.ContentLength = CoordinatorFactory.MaxContentBytes + 1;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync(OpenGridJsonContext.Default.ProblemView);
        Assert.Equal(ErrorCodes.ContentTooLarge, problem!.Code);
    }

    [Fact]
    public async Task Uploaded_content_round_trips_and_is_readable_only_by_its_uploader()
    {
        var uploader = _factory.NewClient();
        var stranger = _factory.NewClient();
        var bytes = "hello content store\n"u8.ToArray();
        var put = await uploader.UploadAsync(new MemoryStream(bytes), bytes.Length, null, default);
        Assert.Equal(bytes.Length, put.Size);

        using var copy = new MemoryStream();
        await uploader.DownloadAsync(Core.Content.Cid.Parse(put.Cid), copy, null, default);
        Assert.Equal(bytes, copy.ToArray());

        // A stranger is told exactly what a CID nobody stored gets: whether someone uploaded a file stays private.
        var e = await Assert.ThrowsAsync<OpenGridApiException>(() => stranger.DownloadAsync(Core.Content.Cid.Parse(put.Cid), new MemoryStream(), null, default));
        var bytesNobodyStored = "never uploaded\n"u8.ToArray();
        var absent = await Core.Content.UnixFsCidBuilder.ComputeAsync(new MemoryStream(bytesNobodyStored), default);
        var missing = await Assert.ThrowsAsync<OpenGridApiException>(() => stranger.DownloadAsync(absent, new MemoryStream(), null, default));
        Assert.Equal((404, ErrorCodes.ContentNotFound), (e.Status, e.Code));
        Assert.Equal((missing.Status, missing.Code, missing.Message.Replace(absent.ToString(), put.Cid)), (e.Status, e.Code, e.Message));
    }

    [Fact]
    public async Task Head_says_whether_the_caller_may_use_stored_content_without_sending_it_again()
    {
        var uploader = _factory.NewClient();
        var stranger = _factory.NewClient();
        var bytes = "a dataset sent once\n"u8.ToArray();
        var cid = await Core.Content.UnixFsCidBuilder.ComputeAsync(new MemoryStream(bytes), default);
        Assert.False(await uploader.HasContentAsync(cid, default));

        var put = await uploader.UploadAsync(new MemoryStream(bytes), bytes.Length, null, default);
        Assert.Equal(cid.ToString(), put.Cid);

        Assert.True(await uploader.HasContentAsync(cid, default));
        Assert.False(await stranger.HasContentAsync(cid, default)); // stored, but not the stranger's to use
        var http = _factory.CreateClient();
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/v1/content/{cid}");
        head.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await uploader.GetTokenAsync(default));
        var response = await http.SendAsync(head);
        Assert.Equal((HttpStatusCode.OK, (long?)bytes.Length), (response.StatusCode, response.Content.Headers.ContentLength));
        using var strangers = new HttpRequestMessage(HttpMethod.Head, $"/v1/content/{cid}");
        strangers.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await stranger.GetTokenAsync(default));
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(strangers)).StatusCode); // as if it were not stored
        using var bad = new HttpRequestMessage(HttpMethod.Head, "/v1/content/not-a-cid");
        bad.Headers.Authorization = head.Headers.Authorization;
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(bad)).StatusCode);
    }

    [Fact]
    public async Task Submit_with_an_input_that_was_never_uploaded_is_422_input_missing()
    {
        var client = _factory.NewClient();
        var spec = JobSpecs.Shell("needs-input", "cat data.txt") + "\ninputs:\n  - path: data.txt\n    from: ./data.txt\n";
        var e = await Assert.ThrowsAsync<OpenGridApiException>(() => client.SubmitAsync(new SubmitJobRequest(spec, null, null), default));
        Assert.Equal((422, ErrorCodes.InputMissing), (e.Status, e.Code));
    }

    [Fact]
    public async Task Provider_cannot_report_on_a_job_leased_to_another_provider()
    {
        await using var factory = new CoordinatorFactory();
        var requester = factory.NewClient();
        await using var owner = await factory.ConnectLiveProviderAsync(Identity.Generate(), "owner");
        var job = await requester.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("leased-job", "true"), null, null), default);
        var assign = Assert.IsType<Assign>(await owner.ReceiveAsync());
        Assert.Equal(job.Id, assign.JobId);

        await using var intruder = await factory.ConnectLiveProviderAsync(Identity.Generate(), "intruder");
        await intruder.SendAsync(new JobFinished(job.Id, assign.Epoch, "succeeded", 0, null, new UsageView(1, 1, 1), []));
        var rejected = Assert.IsType<Rejected>(await intruder.ReceiveAsync());
        Assert.Equal(ErrorCodes.LeaseNotYours, rejected.Code);
        Assert.Equal("assigned", (await requester.GetJobAsync(job.Id, default)).State);

        await owner.SendAsync(new JobStarted(job.Id, assign.Epoch + 1));
        var stale = Assert.IsType<Rejected>(await owner.ReceiveAsync());
        Assert.Equal(ErrorCodes.LeaseStaleEpoch, stale.Code);

        await owner.SendAsync(new JobStarted(job.Id, assign.Epoch));
        await owner.SendAsync(new LogData(job.Id, assign.Epoch, 0, "stdout", "line one\n"));
        await owner.SendAsync(new LogData(job.Id, assign.Epoch, 0, "stdout", "line one\n"));
        await owner.SendAsync(new JobFinished(job.Id, assign.Epoch, "succeeded", 0, null, new UsageView(1, 1, 1), []));
        var ends = new List<object>();
        await foreach (var e in requester.StreamLogsAsync(job.Id, follow: true, default))
        {
            if (e is not JobView) // the job's state events; this test counts log chunks
                ends.Add(e);
        }
        var log = Assert.IsType<LogChunkView>(ends[0]);
        Assert.Equal("line one\n", log.Text);
        Assert.Equal(2, ends.Count); // the redelivered chunk was stored once
        Assert.Equal("succeeded", Assert.IsType<JobEndView>(ends[1]).State);
    }

    [Fact]
    public async Task Job_larger_than_every_connected_provider_is_422_unsatisfiable()
    {
        await using var factory = new CoordinatorFactory();
        await using var small = await factory.ConnectProviderAsync(Identity.Generate(), "small", cores: 2, memory: 1L << 30);
        var client = factory.NewClient();
        var e = await Assert.ThrowsAsync<OpenGridApiException>(() =>
            client.SubmitAsync(new SubmitJobRequest(JobSpecs.Shell("too-big", "true", memory: "8Gi"), null, null), default));
        Assert.Equal((422, ErrorCodes.SpecUnsatisfiable), (e.Status, e.Code));
        Assert.Contains("small: memory 8Gi > 1Gi", e.Message);
        Assert.Empty((await client.ListJobsAsync(null, default)).Jobs);
    }
}
