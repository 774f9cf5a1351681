using OpenGrid.Core.Content;
using OpenGrid.Protocol.Specs;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Examples;

public class LlmInferExampleTests
{
    [Fact]
    public async Task The_example_model_cid_is_the_cid_of_the_tiny_model_og_llm_writes()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "examples", "llm-infer", "job.yaml");
        var spec = JobSpecParser.Parse(await File.ReadAllTextAsync(path), path).Spec!;
        using var model = new MemoryStream();
        TinyLlama.AlphabetModel().WriteTo(model);
        model.Position = 0;

        var cid = await UnixFsCidBuilder.ComputeAsync(model, CancellationToken.None);

        var declared = spec.Inputs.Single(i => i.Path == "model.gguf").Cid?.ToString();
        Assert.True(declared == cid.ToString(), $"examples/llm-infer/job.yaml names {declared}; the tiny model is {cid}");
    }
}
