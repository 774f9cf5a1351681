using System.Text;
using System.Text.Json;
using OpenGrid.Testing;
using OpenGrid.Verification;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace OpenGrid.Runners.Tests.Onnx;

/// <summary>The built og-onnx, run as a process on the decoder the image-gen example ships.</summary>
public sealed class OgOnnxTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDir dir = new("og-onnx-test");

    public OgOnnxTests() => OnnxRunnerBuild.CopyDecoder(dir.Path);

    [Fact]
    public async Task Generate_writes_count_decodable_pngs_of_the_scaled_size_and_usage()
    {
        var (code, stdout, stderr) = await RunAsync("--prompt", "sneaker", "--seed", "3", "--count", "5", "--scale", "4");

        Assert.True(code == 0, $"og-onnx exited {code}: {stderr}");
        var names = Enumerable.Range(0, 5).Select(i => $"image-00{i}.png").ToArray();
        Assert.Equal(string.Concat(names.Select(n => Path.Combine("out", n) + "\n")), stdout);
        foreach (var name in names)
        {
            using var image = Image.Load<L8>(dir.Combine("out", name));
            Assert.Equal((112, 112), (image.Width, image.Height));
        }

        using var usage = JsonDocument.Parse(await File.ReadAllTextAsync(dir.Combine("out", "usage.json")));
        var root = usage.RootElement;
        Assert.Equal(5, root.GetProperty("images").GetInt32());
        Assert.Equal("sneaker", root.GetProperty("label").GetString());
        Assert.Equal(7, root.GetProperty("labelIndex").GetInt32());
        Assert.Equal(3UL, root.GetProperty("seed").GetUInt64());
        Assert.True(root.GetProperty("imagesPerSecond").GetDouble() > 0, root.ToString());
        Assert.Matches(@"^og-onnx: 5 images of sneaker \(class 7\), 112x112, at [0-9.]+ images/s; model loaded in \d+ ms\n$", stderr);
    }

    [Fact]
    public async Task Each_model_pixel_becomes_a_square_of_the_scale()
    {
        await GenerateAsync("out", "--prompt", "coat", "--scale", "1", "--count", "1");
        await GenerateAsync("big", "--prompt", "coat", "--scale", "3", "--count", "1");

        using var small = Image.Load<L8>(dir.Combine("out", "image-000.png"));
        using var big = Image.Load<L8>(dir.Combine("big", "image-000.png"));
        Assert.Equal((28, 28, 84, 84), (small.Width, small.Height, big.Width, big.Height));
        for (var y = 0; y < big.Height; y++)
        {
            for (var x = 0; x < big.Width; x++)
                Assert.Equal(small[x / 3, y / 3], big[x, y]);
        }
    }

    [Fact]
    public async Task The_same_seed_gives_byte_identical_pngs_and_another_seed_different_images()
    {
        var first = await GenerateAsync("a", "--prompt", "dress", "--seed", "11", "--count", "3");
        var again = await GenerateAsync("b", "--prompt", "3", "--seed", "11", "--count", "3", "--threads", "1");
        var other = await GenerateAsync("c", "--prompt", "dress", "--seed", "12", "--count", "3");

        Assert.Equal(first, again);
        for (var i = 0; i < first.Count; i++)
            Assert.NotEqual(first[i], other[i]);
    }

    [Fact]
    public async Task The_first_images_do_not_depend_on_the_count()
    {
        var two = await GenerateAsync("two", "--prompt", "bag", "--seed", "4", "--count", "2");
        var six = await GenerateAsync("six", "--prompt", "bag", "--seed", "4", "--count", "6");

        Assert.Equal(two, six.Take(2));
    }

    [Fact]
    public async Task A_trouser_and_a_bag_from_the_same_latent_differ_beyond_the_image_comparators_threshold()
    {
        var trousers = await GenerateAsync("trouser", "--prompt", "trouser", "--seed", "9", "--count", "4");
        var bags = await GenerateAsync("bag", "--prompt", "bag", "--seed", "9", "--count", "4");

        for (var i = 0; i < trousers.Count; i++)
        {
            var comparison = ImageComparator.Instance.Compare($"image-{i}", trousers[i], bags[i], ComparatorOptions.Default);
            Assert.False(comparison.Agree, comparison.Detail);
        }
    }

    [Fact]
    public async Task A_prompt_the_model_does_not_know_exits_2_and_lists_the_classes()
    {
        var (code, _, stderr) = await RunAsync("--prompt", "hat");

        Assert.Equal(2, code);
        Assert.Equal(
            "og-onnx: the model has no class 'hat': it knows t-shirt, trouser, pullover, dress, coat, sandal, shirt, " +
            "sneaker, bag, ankle-boot (or an index from 0 to 9)\n",
            stderr);
        Assert.False(Directory.Exists(dir.Combine("out")));
    }

    [Fact]
    public async Task A_file_that_is_not_onnx_is_refused_with_one_line_and_exit_status_3()
    {
        await File.WriteAllTextAsync(dir.Combine("decoder.onnx"), "<html>404 not found</html>");

        var (code, stdout, stderr) = await RunAsync("--prompt", "bag");

        Assert.Equal((3, ""), (code, stdout));
        Assert.Equal(
            "og-onnx: decoder.onnx is not an ONNX model: it does not start with the ir_version field of a serialized ModelProto\n",
            stderr);
    }

    [Fact]
    public async Task A_truncated_model_is_refused_with_onnx_runtimes_reason_on_one_line()
    {
        var model = await File.ReadAllBytesAsync(dir.Combine("decoder.onnx"));
        await File.WriteAllBytesAsync(dir.Combine("decoder.onnx"), model[..(model.Length / 2)]);

        var (code, stdout, stderr) = await RunAsync("--prompt", "bag");

        Assert.Equal((3, ""), (code, stdout));
        Assert.Equal("og-onnx: decoder.onnx is not a usable ONNX model: Protobuf parsing failed.\n", stderr);
    }

    [Fact]
    public async Task A_valid_onnx_model_with_other_inputs_is_refused_naming_them()
    {
        // Renaming the input everywhere it occurs (same length) keeps the model valid for ONNX Runtime.
        var model = await File.ReadAllBytesAsync(dir.Combine("decoder.onnx"));
        await File.WriteAllBytesAsync(dir.Combine("decoder.onnx"), Rename(model, "latent", "noise!"));

        var (code, _, stderr) = await RunAsync("--prompt", "bag");

        Assert.Equal(3, code);
        Assert.Equal(
            "og-onnx: decoder.onnx is not an image decoder og-onnx can run: its inputs are [label, noise!], " +
            "expected exactly 'latent' and 'label'\n",
            stderr);
    }

    [Fact]
    public async Task A_model_over_the_size_cap_is_refused_before_loading()
    {
        var (code, _, stderr) = await RunAsync("--prompt", "bag", "--max-model-bytes", "1000");

        Assert.Equal(3, code);
        Assert.Matches(@"^og-onnx: decoder\.onnx is \d+ bytes, over the 1000 allowed \(--max-model-bytes\)\n$", stderr);
    }

    [Fact]
    public async Task A_bad_command_line_exits_2_and_names_the_problem()
    {
        var (missing, _, missingError) = await RunRawAsync("generate", "--model", "decoder.onnx", "--out", "out");
        var (badCount, _, countError) = await RunAsync("--prompt", "bag", "--count", "0");
        var (badCommand, _, commandError) = await RunRawAsync("draw");

        Assert.Equal((2, "og-onnx: --prompt is required (og-onnx --help shows the options)\n"), (missing, missingError));
        Assert.Equal(
            (2, "og-onnx: --count must be a whole number from 1 to 1000, not '0' (og-onnx --help shows the options)\n"),
            (badCount, countError));
        Assert.Equal((2, "og-onnx: unknown command 'draw' (og-onnx --help shows the commands)\n"), (badCommand, commandError));
    }

    public void Dispose() => dir.Dispose();

    private static byte[] Rename(byte[] bytes, string from, string to)
    {
        var text = Encoding.Latin1.GetString(bytes);
        Assert.Contains(from, text);
        return Encoding.Latin1.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
    }

    /// <summary>Runs generate into <paramref name="outFolder"/> and returns the PNGs' bytes in order.</summary>
    private async Task<List<byte[]>> GenerateAsync(string outFolder, params string[] extra)
    {
        var (code, _, stderr) = await RunRawAsync(["generate", "--model", "decoder.onnx", "--out", outFolder, .. extra]);
        Assert.True(code == 0, $"og-onnx exited {code}: {stderr}");
        return Directory.GetFiles(dir.Combine(outFolder), "image-*.png").Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).ToList();
    }

    private Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] extra) =>
        RunRawAsync(["generate", "--model", "decoder.onnx", "--out", "out", .. extra]);

    private async Task<(int Code, string Stdout, string Stderr)> RunRawAsync(params string[] args)
    {
        await using var process = TestProcess.StartDotnet("og-onnx", OnnxRunnerBuild.Dll, args, workingDirectory: dir.Path);
        var code = await process.WaitForExitAsync(Patience);
        return (code, process.Stdout, process.Stderr);
    }
}
