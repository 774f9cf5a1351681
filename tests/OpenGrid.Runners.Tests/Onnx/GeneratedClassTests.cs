using OpenGrid.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>The shipped decoder draws images that look like the class asked for: the nearest real Fashion-MNIST
/// image to most of them is of that class.</summary>
public sealed class GeneratedClassTests : IDisposable
{
    private const int PerClass = 10;

    /// <summary>Measured: the shipped decoder 63 of 100 (seeds 1 and 2; its misses are the classes real images are
    /// confused with too: shirt, pullover, coat; sandal and sneaker); earlier decoders that ignored the label for some
    /// latents 39 and 49; real training images 82 of 100; guessing 10.</summary>
    private const int AtLeastRight = 55;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDir dir = new("og-onnx-classes");

    [Fact]
    public async Task Most_images_drawn_for_a_class_are_nearest_to_a_real_image_of_that_class()
    {
        var real = FashionMnistTestSet.Load();
        OnnxRunnerBuild.CopyDecoder(dir.Path);
        var nearest = new List<int[]>();

        for (var label = 0; label < FashionMnistTestSet.Classes; label++)
            nearest.Add([.. (await GenerateAsync(label)).Select(real.NearestLabel)]);

        var right = nearest.Select((labels, label) => labels.Count(l => l == label)).Sum();
        var report = string.Join("; ", nearest.Select((labels, label) => $"class {label}: nearest {string.Join(",", labels)}"));
        Assert.True(right >= AtLeastRight, $"{right} of {PerClass * FashionMnistTestSet.Classes} right; {report}");
    }

    public void Dispose() => dir.Dispose();

    /// <summary>PerClass 28×28 images of class <paramref name="label"/>, as 0..1 pixels.</summary>
    private async Task<float[][]> GenerateAsync(int label)
    {
        var outFolder = $"class-{label}";
        await using var process = TestProcess.StartDotnet(
            "og-onnx", OnnxRunnerBuild.Dll,
            ["generate", "--model", "decoder.onnx", "--prompt", label.ToString(), "--seed", "1", "--count", PerClass.ToString(),
             "--scale", "1", "--out", outFolder],
            workingDirectory: dir.Path);
        var code = await process.WaitForExitAsync(Patience);
        Assert.True(code == 0, $"og-onnx exited {code}: {process.Stderr}");
        return [.. Directory.GetFiles(dir.Combine(outFolder), "image-*.png").Order(StringComparer.Ordinal).Select(Pixels)];
    }

    private static float[] Pixels(string path)
    {
        using var image = Image.Load<L8>(path);
        var pixels = new float[image.Width * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
                pixels[y * image.Width + x] = image[x, y].PackedValue / 255f;
        }

        return pixels;
    }
}
