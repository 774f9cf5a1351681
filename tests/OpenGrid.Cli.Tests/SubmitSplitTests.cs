using System.Net;
using System.Text;
using System.Text.Json;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Specs;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary><c>og submit</c> of a spec with <c>split</c>: one job per frame, inputs uploaded once, outputs gathered.</summary>
public sealed class SubmitSplitTests : IDisposable
{
    private const string Spec = """
        apiVersion: opengrid/v1
        kind: Job
        name: render
        runtime: { kind: process, command: [sh, render.sh] }
        inputs:
          - { path: render.sh, from: ./render.sh }
        resources: { cpu: 500m, memory: 64Mi }
        split: { frames: "2-4" }
        """;

    private static readonly string RenderCid = Core.Content.Cid.ForRawBlock("echo $FRAME\n"u8).ToString();

    private readonly TempDir _dir = new("og-split");
    private readonly FakeCoordinator _coordinator = new();
    private readonly OgRunner _og;
    private readonly List<SubmitJobRequest> _submitted = [];

    public SubmitSplitTests()
    {
        _og = new OgRunner(_dir.Combine("work"), _dir.Combine("home")) { Coordinator = _coordinator }
            .WithVariable(CliEnvironment.CoordinatorVariable, FakeCoordinator.Url.ToString());
        Directory.CreateDirectory(_dir.Combine("work", "job"));
        File.WriteAllText(_dir.Combine("work", "job", "job.yaml"), Spec);
        File.WriteAllText(_dir.Combine("work", "job", "render.sh"), "echo $FRAME\n");
        _coordinator.Json("GET v1/info", new InfoView("test", 1 << 20, "v1"), OpenGridJsonContext.Default.InfoView);
        _coordinator.Json("POST v1/content", new ContentPutResponse(RenderCid, 12), OpenGridJsonContext.Default.ContentPutResponse,
            HttpStatusCode.Created);
        _coordinator.Route("POST v1/jobs", request =>
        {
            var submitted = JsonSerializer.Deserialize(request.Content!.ReadAsStream(), OpenGridJsonContext.Default.SubmitJobRequest)!;
            _submitted.Add(submitted);
            var job = FakeCoordinator.Job($"j{_submitted.Count}", "queued");
            return new HttpResponseMessage(HttpStatusCode.Accepted)
            {
                Content = new StringContent(JsonSerializer.Serialize(job, OpenGridJsonContext.Default.JobView), Encoding.UTF8, "application/json"),
            };
        });
    }

    [Fact]
    public async Task With_payments_on_each_frame_carries_its_own_authorization_bound_to_its_own_spec_text()
    {
        var escrow = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
        _coordinator.Json("GET v1/chain", new ChainView(31337, "http://127.0.0.1:8545", "0x" + new string('1', 40), escrow,
            "0x" + new string('2', 40), "0x" + new string('3', 40), "0x" + new string('4', 40), 6, MaxExtraReplicas: 2), OpenGridJsonContext.Default.ChainView);

        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        var key = Protocol.Identity.KeyStore.LoadOrCreate(_dir.Combine("home"));
        var domain = new Protocol.Escrow.EscrowDomain(31337, Core.Jobs.Address.Parse(escrow));
        Assert.Equal(3, _submitted.Count);
        foreach (var frame in _submitted)
        {
            var spec = JobSpecParser.Parse(frame.Spec, "job.yaml").Spec!;
            var (_, rejection) = Protocol.Escrow.JobAuthorizationCheck.Validate(frame.Authorization, key.Address, frame.Spec, spec, domain, 2, DateTimeOffset.UtcNow);
            Assert.Null(rejection);
        }
        Assert.Equal(3, _submitted.Select(f => f.Authorization!.Job).Distinct().Count());
        Assert.Single(_coordinator.Requests, r => r == "GET v1/chain"); // asked once for the whole split
    }

    [Fact]
    public async Task Each_frame_becomes_a_job_with_frame_set_sharing_one_upload_and_the_ids_are_printed()
    {
        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("j1\nj2\nj3\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Contains("submitted 3 jobs of render, one per frame (2-4)", result.Stderr);
        Assert.Single(_coordinator.Requests, r => r == "POST v1/content");
        Assert.Equal(3, _submitted.Count);
        for (var i = 0; i < 3; i++)
        {
            var spec = JobSpecParser.Parse(_submitted[i].Spec, "job.yaml").Spec!;
            Assert.Null(spec.Split);
            Assert.Equal((i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), spec.Runtime.Env["FRAME"]);
            Assert.Equal(RenderCid, _submitted[i].InputCids!["render.sh"]);
        }
    }

    [Fact]
    public async Task Follow_waits_for_every_frame_and_exits_with_the_first_failure()
    {
        _coordinator.Logs("j1", [], new JobEndView("succeeded", 0, null));
        _coordinator.Logs("j2", [], new JobEndView("failed", 4, "the job exited with status 4"));
        _coordinator.Logs("j3", [], new JobEndView("succeeded", 0, null));

        var result = await _og.RunAsync("submit", "job/job.yaml", "--follow");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("frame 3: job j2 failed with exit code 4", result.Stderr);
        Assert.Contains("2 of 3 frames succeeded", result.Stderr);
    }

    [Fact]
    public async Task Gathering_refuses_two_frames_that_wrote_the_same_path()
    {
        foreach (var id in new[] { "j1", "j2", "j3" })
        {
            _coordinator.Logs(id, [], new JobEndView("succeeded", 0, null));
            _coordinator.Json($"GET v1/jobs/{id}", FakeCoordinator.Job(id, "succeeded", 0, new OutputFileView("image.png", "bafkreiimage", 3)),
                OpenGridJsonContext.Default.JobView);
        }

        var result = await _og.RunAsync("submit", "job/job.yaml", "-f", "-o", "frames");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("frames 2 and 3 both wrote 'image.png'; nothing was downloaded", result.Stderr);
        Assert.DoesNotContain(_coordinator.Requests, r => r.StartsWith("GET v1/content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Output_without_follow_is_refused_before_anything_is_sent()
    {
        var result = await _og.RunAsync("submit", "job/job.yaml", "-o", "frames");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--output needs --follow", result.Stderr);
        Assert.Empty(_coordinator.Requests);
    }

    public void Dispose() => _dir.Dispose();
}
