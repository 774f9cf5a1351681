using System.Text;
using OpenGrid.Runners.Llm;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Llm;

/// <summary>og-llm's run in-process, to see how its stdout is written.</summary>
public sealed class LlmRunnerTests : IDisposable
{
    private readonly TempDir dir = new("og-llm-stream");

    [Fact]
    public void Streams_each_token_to_stdout_with_a_flush_as_soon_as_it_is_generated()
    {
        var model = RunnerBuild.WriteTinyModel(dir.Path);
        File.WriteAllText(dir.Combine("prompt.txt"), "abc");
        var args = LlmArguments.Parse(
            ["--model", model, "--prompt-file", dir.Combine("prompt.txt"), "--out", dir.Combine("completion.txt"), "--max-tokens", "12"],
            out var error)!;
        Assert.Null(error);
        var stdout = new FlushRecorder();
        var stderr = new StringWriter();

        var code = LlmRunner.Run(args, stdout, stderr);

        Assert.True(code == 0, stderr.ToString());
        // One flush per token, then the closing newline.
        Assert.Equal([.. TinyLlama.ExpectedContinuation('c', 12).Select(c => c.ToString()), "\n"], stdout.Flushed);
    }

    public void Dispose() => dir.Dispose();

    /// <summary>A stdout that records what each flush delivered.</summary>
    private sealed class FlushRecorder : MemoryStream
    {
        private long flushedUpTo;

        public List<string> Flushed { get; } = [];

        public override void Flush()
        {
            var bytes = ToArray();
            Flushed.Add(Encoding.UTF8.GetString(bytes, (int)flushedUpTo, (int)(bytes.Length - flushedUpTo)));
            flushedUpTo = bytes.Length;
        }
    }
}
