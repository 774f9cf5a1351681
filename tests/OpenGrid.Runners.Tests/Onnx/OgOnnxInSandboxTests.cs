using OpenGrid.Provider.Sandbox;
using OpenGrid.Runners.Tests.Sandbox;
using OpenGrid.Testing;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>og-onnx run the way a provider runs a job (<see cref="RunnerInSandbox"/>).</summary>
public sealed class OgOnnxInSandboxTests : RunnerInSandbox
{
    public OgOnnxInSandboxTests()
        : base("og-onnx-sandbox", OnnxRunnerBuild.Directory) => OnnxRunnerBuild.CopyDecoder(work);

    [Fact]
    public async Task Og_onnx_draws_inside_the_sandbox_the_same_pngs_it_draws_outside()
    {
        string[] generate = ["generate", "--model", "decoder.onnx", "--prompt", "ankle boot", "--seed", "21", "--count", "6", "--threads", "2"];

        var result = await RunAsync(["og-onnx", .. generate, "--out", "/out"]);

        Assert.True(
            result is { Outcome: SandboxOutcome.Exited, ExitCode: 0 },
            $"{result.Outcome} {result.ExitCode} {result.Detail}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Equal(string.Concat(Enumerable.Range(0, 6).Select(i => $"/out/image-00{i}.png\n")), stdout.ToString());
        Assert.StartsWith("og-onnx: 6 images of ankle-boot (class 9), 112x112", stderr.ToString());
        Assert.Contains("\"images\": 6", await File.ReadAllTextAsync(Path.Combine(output, "usage.json")));

        using var bare = new TempDir("og-onnx-bare");
        await using var process = TestProcess.StartDotnet(
            "og-onnx", OnnxRunnerBuild.Dll, [.. generate, "--out", bare.Path], workingDirectory: work);
        Assert.Equal(0, await process.WaitForExitAsync(Limits.Timeout));
        for (var i = 0; i < 6; i++)
        {
            var name = $"image-00{i}.png";
            Assert.Equal(await File.ReadAllBytesAsync(bare.Combine(name)), await File.ReadAllBytesAsync(Path.Combine(output, name)));
        }
    }

    [Fact]
    public async Task A_corrupt_model_fails_the_job_with_the_runners_one_line_reason()
    {
        await File.WriteAllBytesAsync(Path.Combine(work, "decoder.onnx"), [0x08, 0x07, 0x12, 0xff]);

        var result = await RunAsync("og-onnx", "generate", "--model", "decoder.onnx", "--prompt", "bag", "--out", "/out");

        Assert.Equal((SandboxOutcome.Exited, 3), (result.Outcome, result.ExitCode));
        Assert.Equal("og-onnx: decoder.onnx is not a usable ONNX model: Protobuf parsing failed.\n", stderr.ToString());
    }
}
