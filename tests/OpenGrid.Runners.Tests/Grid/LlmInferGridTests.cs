using System.Text.Json;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Grid;

/// <summary>llm-infer through the whole grid: og submit uploads the model and prompt, a provider runs og-llm in its
/// sandbox, the tokens reach the requester's log stream, and og get downloads the completion by CID.</summary>
public sealed class LlmInferGridTests(LlmGridFixture grid) : IClassFixture<LlmGridFixture>, IDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private readonly TempDir dir = new("og-llm-grid");

    [Fact]
    public async Task A_submitted_llm_job_streams_its_tokens_and_its_completion_downloads()
    {
        RunnerBuild.WriteTinyModel(dir.Path);
        await File.WriteAllTextAsync(dir.Combine("prompt.txt"), "hello world");
        // The llm-infer example's command and requirement: the agents advertise llm-gguf because og-llm is in their
        // OPENGRID_RUNNERS.
        await File.WriteAllTextAsync(dir.Combine("job.yaml"), """
            apiVersion: opengrid/v1
            kind: Job
            name: llm-infer-tiny
            runtime:
              kind: process
              command: [og-llm, --model, model.gguf, --prompt-file, prompt.txt, --max-tokens, "20", --seed, "42",
                        --temperature, "0", --threads, "1", --out, /out/completion.txt]
            inputs:
              - { path: prompt.txt, from: ./prompt.txt }
              - { path: model.gguf, from: ./model.gguf }
            outputs:
              - { path: completion.txt, compare: text }
            resources: { cpu: 1, memory: 512Mi, disk: 64Mi }
            limits: { timeout: 2m, processes: 64 }
            requires: [llm-gguf]
            """);
        var expected = TinyLlama.ExpectedContinuation('d', 20);

        var (code, stdout, stderr) = await grid.OgAsync(JobTimeout, "submit", dir.Combine("job.yaml"), "--follow");

        Assert.True(code == 0, $"og submit --follow exited {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains(expected, stdout);
        var (listCode, listJson, _) = await grid.OgAsync(JobTimeout, "jobs", "--json");
        Assert.Equal(0, listCode);
        var job = JsonDocument.Parse(listJson).RootElement.GetProperty("jobs").EnumerateArray()
            .Single(j => j.GetProperty("name").GetString() == "llm-infer-tiny");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var outputs = job.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("path").GetString()).Order();
        Assert.Equal(["completion.txt", "usage.json"], outputs);

        using var target = new TempDir("og-llm-grid-get");
        var (getCode, getOut, getErr) = await grid.OgAsync(JobTimeout, "get", job.GetProperty("id").GetString()!, "-o", target.Path);
        Assert.True(getCode == 0, $"og get exited {getCode}\n{getOut}\n{getErr}");
        Assert.Equal(expected, await File.ReadAllTextAsync(target.Combine("completion.txt")));
    }

    public void Dispose() => dir.Dispose();
}
