using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenGrid.Provider.Sandbox;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Sandbox;

/// <summary>og-llm run the way a provider runs a job: under the real bubblewrap sandbox (as uid 65534 when the
/// tests run as root), with the runner folder mounted read-only and on the job's PATH.</summary>
public sealed class OgLlmInSandboxTests : IDisposable
{
    private static readonly SandboxLimits Limits =
        new(MemoryBytes: 512L << 20, CpuMillis: 2000, Processes: 64, Timeout: TimeSpan.FromSeconds(60), DiskBytes: 64L << 20);

    private readonly TempDir root = new("og-llm-sandbox");
    private readonly string work;
    private readonly string output;
    private readonly BubblewrapSandbox sandbox;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    public OgLlmInSandboxTests()
    {
        var options = new SandboxOptions { RunnerDirectories = [RunnerBuild.LlmDirectory] };
        Assert.True(File.Exists(options.BwrapPath), $"bubblewrap is missing: `{BubblewrapSandbox.InstallCommand}`");
        sandbox = new BubblewrapSandbox(options, NullLogger<BubblewrapSandbox>.Instance);
        work = Directory.CreateDirectory(root.Combine("work")).FullName;
        output = Directory.CreateDirectory(root.Combine("out")).FullName;
    }

    [Fact]
    public async Task Og_llm_generates_inside_the_sandbox_streams_its_tokens_and_writes_to_out()
    {
        RunnerBuild.WriteTinyModel(work);
        await File.WriteAllTextAsync(Path.Combine(work, "prompt.txt"), "once upon a time");

        var result = await RunAsync(
            "og-llm", "--model", "model.gguf", "--prompt-file", "prompt.txt", "--max-tokens", "30",
            "--out", "/out/completion.txt", "--threads", "2");

        Assert.True(
            result is { Outcome: SandboxOutcome.Exited, ExitCode: 0 },
            $"{result.Outcome} {result.ExitCode} {result.Detail}\nstdout: {stdout}\nstderr: {stderr}");
        var expected = TinyLlama.ExpectedContinuation('e', 30);
        Assert.Equal(expected + "\n", stdout.ToString());
        Assert.Equal(expected, await File.ReadAllTextAsync(Path.Combine(output, "completion.txt")));
        Assert.Contains("\"generatedTokens\": 30", await File.ReadAllTextAsync(Path.Combine(output, "usage.json")));
        Assert.StartsWith("og-llm: 18 prompt tokens, 30 generated", stderr.ToString());
    }

    [Fact]
    public async Task The_runner_folder_is_first_on_the_path_and_read_only()
    {
        var result = await RunAsync(
            "/bin/sh", "-c", "command -v og-llm; echo \"$PATH\"; touch /opt/opengrid/runners/0/x 2>/dev/null || echo read-only");

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.Equal(
            "/opt/opengrid/runners/0/og-llm\n/opt/opengrid/runners/0:/usr/local/bin:/usr/bin:/bin\nread-only\n",
            stdout.ToString());
    }

    [Fact]
    public async Task A_corrupt_model_fails_the_job_with_the_runners_one_line_reason()
    {
        await File.WriteAllBytesAsync(Path.Combine(work, "model.gguf"), Encoding.ASCII.GetBytes("GGUF\x03\0\0\0"));
        await File.WriteAllTextAsync(Path.Combine(work, "prompt.txt"), "abc");

        var result = await RunAsync("og-llm", "--model", "model.gguf", "--prompt-file", "prompt.txt", "--out", "/out/c.txt");

        Assert.Equal((SandboxOutcome.Exited, 3), (result.Outcome, result.ExitCode));
        Assert.Equal(
            "og-llm: model.gguf is not a usable GGUF model: the file is truncated: 8 bytes, a GGUF header alone takes 24\n",
            stderr.ToString());
    }

    public void Dispose() => root.Dispose();

    private Task<SandboxResult> RunAsync(params string[] argv) =>
        sandbox.RunAsync(
            new SandboxRequest(work, output, argv, new Dictionary<string, string>(), Limits),
            (stream, chunk) =>
            {
                var sink = stream == OutputStream.Stdout ? stdout : stderr;
                lock (sink)
                    sink.Append(Encoding.UTF8.GetString(chunk.Span));
                return ValueTask.CompletedTask;
            },
            CancellationToken.None);
}
