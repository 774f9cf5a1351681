using OpenGrid.Runners.Common;
using OpenGrid.Runners.Onnx.Imaging;

namespace OpenGrid.Runners.Onnx;

/// <summary>The command line of <c>og-onnx generate</c>, parsed and range-checked.</summary>
/// <param name="Prompt">A class name from the model's metadata, or a class index.</param>
/// <param name="Scale">Each model pixel becomes a Scale×Scale square in the PNG.</param>
/// <param name="UsagePath">Where usage.json goes; default: <c>usage.json</c> in <paramref name="OutDirectory"/>.</param>
internal sealed record GenerateArguments(
    string ModelPath,
    string Prompt,
    string OutDirectory,
    string UsagePath,
    ulong Seed,
    int Count,
    int Scale,
    int Threads,
    long MaxModelBytes)
{
    public const string Usage = """
        usage: og-onnx generate --model FILE.onnx --prompt CLASS --out DIR [options]

        Draws images from a conditional decoder with ONNX Runtime: latent vectors from a seeded PCG32 generator
        (Box-Muller normals), the class from the prompt, one PNG per image (DIR/image-000.png …) and DIR/usage.json.
          --model FILE          the decoder (untrusted: checked before and after ONNX Runtime loads it); inputs
                                'latent' [N, d] and 'label' [N, classes] float32, output 'image' [N, 1, H, W] in 0..1
          --prompt CLASS        a class name from the model's metadata (e.g. sneaker) or a class index
          --out DIR             where the PNGs and usage.json are written (e.g. /out)
          --seed S              latent seed, 0 to 18446744073709551615 (default 0); same seed, same images
          --count N             images to draw, 1 to 1000 (default 4)
          --scale K             nearest-neighbour upscaling, 1 to 16 (default 4)
          --usage FILE          where usage.json is written (default: DIR/usage.json)
          --threads N           CPU threads for ONNX Runtime (default: the processors seen, at most 4)
          --max-model-bytes N   refuse larger model files (default 268435456, 256 MiB)
        Exit status: 0 done, 1 decoding or writing failed, 2 bad arguments or unknown class, 3 the model was refused.
        """;

    /// <summary>Most images one run draws.</summary>
    public const int MaxCount = 1000;

    private const int DefaultMaxThreads = 4;

    /// <summary>The arguments after <c>generate</c>, or null with <paramref name="error"/> set (null for both: help
    /// was asked for).</summary>
    public static GenerateArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = RunnerOptions.Parse(args,
            ["--model", "--prompt", "--out", "--seed", "--count", "--scale", "--usage", "--threads", "--max-model-bytes"],
            [], ["--model", "--prompt", "--out"], out error);
        if (options is null)
            return null;
        try
        {
            var outDirectory = options.Value("--out");
            return new GenerateArguments(
                options.Value("--model"),
                options.Value("--prompt"),
                outDirectory,
                options.Optional("--usage") ?? Path.Combine(outDirectory, "usage.json"),
                options.Number("--seed", 0, 0, ulong.MaxValue),
                (int)options.Number("--count", 4, 1, MaxCount),
                (int)options.Number("--scale", 4, 1, GreyPng.MaxScale),
                (int)options.Number("--threads", (ulong)Math.Min(Environment.ProcessorCount, DefaultMaxThreads), 1, 256),
                (long)options.Number("--max-model-bytes", 256UL << 20, 1, long.MaxValue));
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }
}
