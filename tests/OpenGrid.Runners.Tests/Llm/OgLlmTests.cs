using System.Text.Json;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Llm;

/// <summary>The built og-llm, run as a process on the tiny alphabet model (<see cref="TinyLlama"/>).</summary>
public sealed class OgLlmTests : IDisposable
{
    private const string Prompt = "the quick brown fox jumps over the lazy dog";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDir dir = new("og-llm-test");

    public OgLlmTests()
    {
        RunnerBuild.WriteTinyModel(dir.Path);
        File.WriteAllText(dir.Combine("prompt.txt"), Prompt);
    }

    [Fact]
    public async Task Greedy_generation_continues_the_alphabet_and_writes_the_completion_and_usage()
    {
        var (code, stdout, stderr) = await RunAsync("--max-tokens", "24");

        Assert.True(code == 0, $"og-llm exited {code}: {stderr}");
        var expected = TinyLlama.ExpectedContinuation('g', 24);
        Assert.Equal(expected, await File.ReadAllTextAsync(dir.Combine("completion.txt")));
        Assert.Equal(expected + "\n", stdout);
        using var usage = JsonDocument.Parse(await File.ReadAllTextAsync(dir.Combine("usage.json")));
        var root = usage.RootElement;
        // <s>, then ▁ and one byte token per character: llama.cpp's SentencePiece tokenizer with byte fallback.
        Assert.Equal(2 + Prompt.Length, root.GetProperty("promptTokens").GetInt32());
        Assert.Equal(24, root.GetProperty("generatedTokens").GetInt32());
        Assert.Equal("max_tokens", root.GetProperty("stopReason").GetString());
        Assert.Equal("llama", root.GetProperty("architecture").GetString());
        Assert.True(root.GetProperty("tokensPerSecond").GetDouble() > 0, usage.RootElement.ToString());
        Assert.True(root.GetProperty("loadMs").GetDouble() > 0, usage.RootElement.ToString());
        Assert.Matches(@"^og-llm: 45 prompt tokens, 24 generated \(max_tokens\) at [0-9.]+ tokens/s; model loaded in \d+ ms\n$", stderr);
    }

    [Fact]
    public async Task Greedy_generation_twice_gives_the_same_text()
    {
        var first = await CompletionAsync("--max-tokens", "40", "--threads", "1");
        var second = await CompletionAsync("--max-tokens", "40", "--threads", "2");

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Sampling_with_the_same_seed_gives_the_same_text_and_another_seed_other_text()
    {
        string[] sampling = ["--max-tokens", "48", "--temperature", "1"];

        var seven = await CompletionAsync([.. sampling, "--seed", "7"]);
        var sevenAgain = await CompletionAsync([.. sampling, "--seed", "7"]);
        var eight = await CompletionAsync([.. sampling, "--seed", "8"]);

        Assert.Equal(seven, sevenAgain);
        Assert.NotEqual(seven, eight);
        Assert.NotEqual(TinyLlama.ExpectedContinuation('g', 48), seven);
    }

    [Fact]
    public async Task A_truncated_model_is_refused_with_one_line_and_exit_status_3()
    {
        var model = await File.ReadAllBytesAsync(dir.Combine("model.gguf"));
        await File.WriteAllBytesAsync(dir.Combine("model.gguf"), model[..(model.Length / 2)]);

        var (code, stdout, stderr) = await RunAsync();

        Assert.Equal(3, code);
        Assert.Matches(
            @"^og-llm: model\.gguf is not a usable GGUF model: tensor '[^']+' ends at byte \d+, past the end of the file \(\d+ bytes\): the file is truncated or corrupt\n$",
            stderr);
        Assert.Equal("", stdout);
        Assert.False(File.Exists(dir.Combine("completion.txt")));
    }

    [Fact]
    public async Task A_file_that_is_not_gguf_is_refused_with_one_line_and_exit_status_3()
    {
        await File.WriteAllTextAsync(dir.Combine("model.gguf"), "<html>404 not found</html>");

        var (code, _, stderr) = await RunAsync();

        Assert.Equal(3, code);
        Assert.Equal("og-llm: model.gguf is not a usable GGUF model: bad magic 0x6d74683c (a GGUF file starts with the bytes 'GGUF')\n", stderr);
    }

    [Fact]
    public async Task A_request_larger_than_the_context_is_refused_before_generating()
    {
        var (code, stdout, stderr) = await RunAsync("--context", "16");

        Assert.Equal(1, code);
        Assert.Equal(
            "og-llm: the prompt (45 tokens) plus --max-tokens 128 do not fit the context of 16 tokens: shorten the prompt, " +
            "lower --max-tokens or raise --context\n",
            stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task A_bad_command_line_exits_2_and_names_the_problem()
    {
        var (code, _, stderr) = await RunRawAsync("--model", "model.gguf", "--out", "c.txt");
        var (badNumber, _, numberError) = await RunAsync("--max-tokens", "lots");

        Assert.Equal((2, "og-llm: --prompt-file is required (og-llm --help shows the options)\n"), (code, stderr));
        Assert.Equal(
            (2, "og-llm: --max-tokens must be a whole number from 1 to 1048576, not 'lots' (og-llm --help shows the options)\n"),
            (badNumber, numberError));
    }

    public void Dispose() => dir.Dispose();

    private async Task<string> CompletionAsync(params string[] extra)
    {
        var (code, _, stderr) = await RunAsync(extra);
        Assert.True(code == 0, $"og-llm exited {code}: {stderr}");
        return await File.ReadAllTextAsync(dir.Combine("completion.txt"));
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] extra) =>
        RunRawAsync(["--model", "model.gguf", "--prompt-file", "prompt.txt", "--out", "completion.txt", .. extra]);

    private async Task<(int Code, string Stdout, string Stderr)> RunRawAsync(params string[] args)
    {
        await using var process = TestProcess.StartDotnet(
            "og-llm", Path.Combine(RunnerBuild.LlmDirectory, "og-llm.dll"), args, workingDirectory: dir.Path);
        var code = await process.WaitForExitAsync(Patience);
        return (code, process.Stdout, process.Stderr);
    }
}
