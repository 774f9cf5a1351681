using System.Text;
using OpenGrid.Provider.Sandbox;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Sandbox;

/// <summary>og-llm run the way a provider runs a job (<see cref="RunnerInSandbox"/>).</summary>
public sealed class OgLlmInSandboxTests : RunnerInSandbox
{
    public OgLlmInSandboxTests()
        : base("og-llm-sandbox", RunnerBuild.LlmDirectory)
    {
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
}
