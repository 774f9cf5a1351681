using System.Net;
using System.Text;
using System.Text.Json;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

public sealed class SubmitCommandTests : IDisposable
{
    private const string Spec = """
        apiVersion: opengrid/v1
        kind: Job
        name: hello
        runtime: { kind: process, command: [sh, hello.sh] }
        inputs:
          - { path: hello.sh, from: ./hello.sh }
        resources: { cpu: 500m, memory: 64Mi }
        """;

    // What the coordinator answers for hello.sh ("echo hi\n"): the CID og computes for it before uploading.
    private static readonly string HelloCid = Core.Content.Cid.ForRawBlock("echo hi\n"u8).ToString();

    private readonly TempDir _dir = new("og-submit");
    private readonly FakeCoordinator _coordinator = new();
    private readonly OgRunner _og;
    private SubmitJobRequest? _submitted;

    public SubmitCommandTests()
    {
        _og = new OgRunner(_dir.Combine("work"), _dir.Combine("home")) { Coordinator = _coordinator }
            .WithVariable(CliEnvironment.CoordinatorVariable, FakeCoordinator.Url.ToString());
        Directory.CreateDirectory(_dir.Combine("work", "job"));
        File.WriteAllText(_dir.Combine("work", "job", "job.yaml"), Spec);
        _coordinator.Json("GET v1/info", new InfoView("test", 1 << 20, "v1"), OpenGridJsonContext.Default.InfoView);
        _coordinator.Json("POST v1/content", new ContentPutResponse(HelloCid, 8), OpenGridJsonContext.Default.ContentPutResponse,
            HttpStatusCode.Created);
        _coordinator.Route("POST v1/jobs", request =>
        {
            _submitted = JsonSerializer.Deserialize(request.Content!.ReadAsStream(), OpenGridJsonContext.Default.SubmitJobRequest);
            return new HttpResponseMessage(HttpStatusCode.Accepted)
            {
                Content = new StringContent(
                    JsonSerializer.Serialize(FakeCoordinator.Job("j1", "queued"), OpenGridJsonContext.Default.JobView),
                    Encoding.UTF8, "application/json"),
            };
        });
    }

    [Fact]
    public async Task A_missing_input_file_names_the_input_and_path_exits_2_and_uploads_nothing()
    {
        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"og: input hello.sh: no such file: {_dir.Combine("work", "job", "hello.sh")}\n", result.Stderr.ReplaceLineEndings("\n"));
        Assert.Empty(_coordinator.Requests);
    }

    [Fact]
    public async Task Inputs_are_uploaded_relative_to_the_spec_and_the_job_id_is_printed()
    {
        File.WriteAllText(_dir.Combine("work", "job", "hello.sh"), "echo hi\n");

        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("j1\n", result.Stdout.ReplaceLineEndings("\n"));
        Assert.Contains($"uploaded hello.sh (8 B) {HelloCid}", result.Stderr);
        Assert.Equal(HelloCid, _submitted!.InputCids!["hello.sh"]);
        Assert.Equal(("job.yaml", Spec), (_submitted.FileName, _submitted.Spec));
        Assert.Contains($"HEAD v1/content/{HelloCid}", _coordinator.Requests);
    }

    [Fact]
    public async Task An_input_the_coordinator_already_holds_for_this_account_is_hashed_not_sent_again()
    {
        File.WriteAllText(_dir.Combine("work", "job", "hello.sh"), "echo hi\n");
        _coordinator.Route($"HEAD v1/content/{HelloCid}", _ => new HttpResponseMessage(HttpStatusCode.OK));

        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"already uploaded hello.sh (8 B) {HelloCid}", result.Stderr);
        Assert.DoesNotContain("POST v1/content", _coordinator.Requests);
        Assert.Equal(HelloCid, _submitted!.InputCids!["hello.sh"]);
    }

    [Fact]
    public async Task An_upload_stored_under_another_cid_than_the_bytes_hash_to_here_exits_7_and_submits_nothing()
    {
        File.WriteAllText(_dir.Combine("work", "job", "hello.sh"), "echo hi\n");
        var other = Core.Content.Cid.ForRawBlock("something else"u8).ToString();
        _coordinator.Json("POST v1/content", new ContentPutResponse(other, 8), OpenGridJsonContext.Default.ContentPutResponse, HttpStatusCode.Created);

        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.Equal(ExitCodes.Integrity, result.ExitCode);
        Assert.Contains($"og: input hello.sh: the coordinator stored {_dir.Combine("work", "job", "hello.sh")} as {other}, but its bytes hash to {HelloCid} here", result.Stderr);
        Assert.Null(_submitted);
    }

    [Fact]
    public async Task Without_payments_the_job_carries_no_authorization()
    {
        File.WriteAllText(_dir.Combine("work", "job", "hello.sh"), "echo hi\n");

        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Null(_submitted!.Authorization);
    }

    [Fact]
    public async Task With_payments_on_the_job_carries_an_authorization_signed_with_the_account_key_for_its_worst_case()
    {
        File.WriteAllText(_dir.Combine("work", "job", "hello.sh"), "echo hi\n");
        var escrow = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
        _coordinator.Json("GET v1/chain", new ChainView(31337, "http://127.0.0.1:8545", "0x" + new string('1', 40), escrow,
            "0x" + new string('2', 40), "0x" + new string('3', 40), "0x" + new string('4', 40), 6, MaxExtraReplicas: 2), OpenGridJsonContext.Default.ChainView);

        var result = await _og.RunAsync("submit", "job/job.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        var key = Protocol.Identity.KeyStore.LoadOrCreate(_dir.Combine("home"));
        var spec = Protocol.Specs.JobSpecParser.Parse(Spec, "job.yaml").Spec!;
        var (authorization, rejection) = Protocol.Escrow.JobAuthorizationCheck.Validate(_submitted!.Authorization, key.Address, Spec, spec,
            new Protocol.Escrow.EscrowDomain(31337, Core.Jobs.Address.Parse(escrow)), extraReplicas: 2, DateTimeOffset.UtcNow);
        Assert.Null(rejection);
        // The spec's default price (1 USDC per hour) for its default timeout (10 minutes), one lease.
        Assert.Equal(("1.000000", "0.166666"), (authorization!.MaxRatePerHour.ToString(), authorization.MaxTotal.ToString()));
    }

    [Theory]
    [InlineData("succeeded", 0, 0)]
    [InlineData("failed", 3, 3)]
    [InlineData("timed_out", null, 124)]
    [InlineData("cancelled", null, 130)]
    public async Task Follow_streams_stdout_and_stderr_and_exits_with_the_jobs_status(string state, int? exitCode, int expected)
    {
        File.WriteAllText(_dir.Combine("work", "job", "hello.sh"), "echo hi\n");
        _coordinator.Logs("j1",
            [
                new LogChunkView(1, 1, "stdout", "Hello from OpenGrid!\n", DateTimeOffset.UnixEpoch),
                new LogChunkView(2, 1, "stderr", "this line goes to stderr\n", DateTimeOffset.UnixEpoch),
            ],
            new JobEndView(state, exitCode, null));

        var result = await _og.RunAsync("submit", "job/job.yaml", "--follow");

        Assert.Equal(expected, result.ExitCode);
        Assert.Equal("Hello from OpenGrid!\n", result.Stdout);
        Assert.Contains("this line goes to stderr\n", result.Stderr);
    }

    [Fact]
    public async Task Logs_with_json_prints_one_chunk_per_line()
    {
        _coordinator.Logs("j1", [new LogChunkView(1, 1, "stdout", "hi\n", DateTimeOffset.UnixEpoch)], new JobEndView("succeeded", 0, null));

        var result = await _og.RunAsync("logs", "j1", "--json");

        var line = Assert.Single(result.Stdout.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.Equal("hi\n", JsonSerializer.Deserialize(line, OpenGridJsonContext.Default.LogChunkView)!.Text);
    }

    [Fact]
    public async Task An_invalid_spec_is_reported_before_any_coordinator_is_needed()
    {
        File.WriteAllText(_dir.Combine("work", "bad.yaml"), "apiVersion: opengrid/v1\nkind: Job\n");
        var og = new OgRunner(_dir.Combine("work"), _dir.Combine("home"));

        var result = await og.RunAsync("submit", "bad.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("bad.yaml:", result.Stderr);
    }

    public void Dispose() => _dir.Dispose();
}
