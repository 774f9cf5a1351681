using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.Workloads.Tests;

/// <summary>examples/mnist-train on a subset of Fashion-MNIST through the grid: it learns, and a run resumed from
/// the checkpoint of an interrupted one ends with the same weights, byte for byte.</summary>
[Collection(nameof(WorkloadCollection))]
public sealed class MnistTrainTests(WorkloadGrid grid) : IDisposable
{
    // Two epochs on 2,000 images: a few seconds, yet clearly better than chance (10%).
    private const string SubsetArgs = "--epochs, \"2\", --train-limit, \"2000\", --test-limit, \"500\", --log-every, \"10\"";
    private const double Chance = 0.10;

    private readonly TempDir _dir = new("workloads-mnist");

    [Fact]
    public async Task Training_on_a_subset_writes_weights_and_metrics_with_accuracy_above_chance()
    {
        var output = await TrainAsync("full", expectedExit: 0);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal(2, root.GetProperty("epochs").GetInt32());
        Assert.Equal((2000, 500), (root.GetProperty("train_examples").GetInt32(), root.GetProperty("test_examples").GetInt32()));
        var accuracy = root.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 2 * Chance, $"test accuracy {accuracy} is not clearly above chance ({Chance})");
        var losses = root.GetProperty("losses").EnumerateArray().Select(l => l.GetProperty("loss").GetDouble()).ToList();
        Assert.True(losses.Count >= 6, $"{losses.Count} losses recorded");
        Assert.True(losses[^1] < losses[0], $"the loss did not fall: first {losses[0]}, last {losses[^1]}");
        Assert.True(new FileInfo(Path.Combine(output, "model.pt")).Length > 100_000, "model.pt is too small to hold the weights");
    }

    [Fact]
    public async Task A_run_resumed_from_the_checkpoint_of_an_interrupted_run_ends_with_the_same_weights()
    {
        var full = await TrainAsync("full", expectedExit: 0);
        var interrupted = await TrainAsync("interrupted", expectedExit: 3, extraArgs: ", --stop-after-epoch, \"1\"");
        Assert.False(File.Exists(Path.Combine(interrupted, "model.pt")), "the interrupted run should stop before writing model.pt");
        var checkpoint = Path.Combine(interrupted, "checkpoint.pt");
        Assert.True(File.Exists(checkpoint), "the interrupted run handed back no checkpoint.pt");

        var resumed = await TrainAsync("resumed", expectedExit: 0, extraArgs: ", --resume-from, checkpoint.pt",
            extraInput: $"  - {{ path: checkpoint.pt, from: {checkpoint} }}\n");

        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "model.pt")), File.ReadAllBytes(Path.Combine(resumed, "model.pt")));
        Assert.Equal(File.ReadAllText(Path.Combine(full, "metrics.json")), File.ReadAllText(Path.Combine(resumed, "metrics.json")));
    }

    private async Task<string> TrainAsync(string name, int expectedExit, string extraArgs = "", string extraInput = "")
    {
        Prerequisites.Torch();
        var spec = SpecVariant.Write(_dir, "mnist-train", name + ".yaml",
            ("--epochs, \"1\"", SubsetArgs + extraArgs),
            ("inputs:\n", "inputs:\n" + extraInput));
        var output = _dir.Combine(name);
        await grid.OgExpectingAsync(expectedExit, "submit", spec, "--follow", "-o", output);
        return output;
    }

    public void Dispose() => _dir.Dispose();
}
