using System.Text.Json;
using OpenGrid.Core.Content;
using OpenGrid.Testing;

namespace OpenGrid.Workloads.Tests;

/// <summary>
/// Two jobs chained by CID, as the examples' READMEs describe: a training job (shortened) writes a model — tiny-lm-train
/// a GGUF language model, image-gen-train an ONNX decoder — and a serving job (llm-infer through og-llm, image-gen
/// through og-onnx) names that model only by its CID.
/// </summary>
[Collection(nameof(WorkloadCollection))]
public sealed class TrainThenServeTests(WorkloadGrid grid) : IDisposable
{
    private readonly TempDir _dir = new("workloads-train-serve");

    [Fact]
    public async Task A_model_trained_on_the_grid_is_served_by_llm_infer_by_its_cid()
    {
        Prerequisites.Torch();
        var train = SpecVariant.Write(_dir, "tiny-lm-train", "train.yaml",
            ("--minutes, \"4\"", "--minutes, \"0.5\", --max-steps, \"30\""));
        await grid.OgExpectingAsync(0, "submit", train, "-f", "-o", _dir.Combine("trained"));
        // The model stays in the content store under its CID: the same CID the bytes og get checked hash to.
        var modelFile = _dir.Combine("trained", "model.gguf");
        Assert.True(new FileInfo(modelFile).Length > 10_000, $"model.gguf is only {new FileInfo(modelFile).Length} bytes");
        await using var modelBytes = File.OpenRead(modelFile);
        var cid = (await UnixFsCidBuilder.ComputeAsync(modelBytes, default)).ToString();

        var infer = SpecVariant.Write(_dir, "llm-infer", "infer.yaml",
            ("cid: bafybeiftas3fjyhcxjzhlgydzasjqon37z2do56vnm6cryldfhvvxvlpea", $"cid: {cid}"),
            ("--max-tokens, \"128\"", "--max-tokens, \"24\""),
            ("--threads, \"2\"", "--threads, \"1\""));
        var served = await grid.OgExpectingAsync(0, "submit", infer, "-f", "-o", _dir.Combine("served"));
        var completion = await File.ReadAllTextAsync(_dir.Combine("served", "completion.txt"));
        Assert.False(string.IsNullOrWhiteSpace(completion), "the trained model generated nothing");
        Assert.Contains(completion.Trim()[..Math.Min(8, completion.Trim().Length)], served); // streamed to the log as generated
        using var usage = JsonDocument.Parse(await File.ReadAllTextAsync(_dir.Combine("served", "usage.json")));
        Assert.True(usage.RootElement.GetProperty("generatedTokens").GetInt32() > 0, $"usage.json: {usage.RootElement}");
    }

    [Fact]
    public async Task A_decoder_trained_on_the_grid_draws_images_in_image_gen_by_its_cid()
    {
        Prerequisites.Torch();
        var train = SpecVariant.Write(_dir, "image-gen-train", "train-cvae.yaml",
            ("--epochs, \"4\"", "--epochs, \"1\", --train-limit, \"2000\""),
            ("from: ../mnist-train/train.py", $"from: {Path.Combine(TestPaths.RepoRoot, "examples", "mnist-train", "train.py")}"));
        await grid.OgExpectingAsync(0, "submit", train, "-f", "-o", _dir.Combine("decoder"));
        await using var decoder = File.OpenRead(_dir.Combine("decoder", "decoder.onnx"));
        var cid = (await UnixFsCidBuilder.ComputeAsync(decoder, default)).ToString();

        var generate = SpecVariant.Write(_dir, "image-gen", "generate.yaml",
            ($"{{ path: decoder.onnx, from: {Path.Combine(TestPaths.RepoRoot, "examples", "image-gen")}/decoder.onnx }}", $"{{ path: decoder.onnx, cid: {cid} }}"),
            ("--count, \"8\"", "--count, \"3\""));
        await grid.OgExpectingAsync(0, "submit", generate, "-f", "-o", _dir.Combine("drawn"));
        var images = Directory.GetFiles(_dir.Combine("drawn", "images"), "image-*.png").Order().ToList();
        Assert.Equal(3, images.Count);
        Assert.All(images, png =>
        {
            var image = PngImage.Decode(File.ReadAllBytes(png));
            Assert.Equal((112, 112), (image.Width, image.Height));
        });
    }

    public void Dispose() => _dir.Dispose();
}
