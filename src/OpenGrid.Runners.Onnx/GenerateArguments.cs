using System.Globalization;
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
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    return null;
                case "--model" or "--prompt" or "--out" or "--seed" or "--count" or "--scale" or "--usage"
                    or "--threads" or "--max-model-bytes":
                    if (i + 1 >= args.Count)
                        return Fail($"{args[i]} needs a value", out error);
                    values[args[i]] = args[++i];
                    continue;
                default:
                    return Fail($"unknown argument '{args[i]}'", out error);
            }
        }

        foreach (var required in new[] { "--model", "--prompt", "--out" })
        {
            if (!values.ContainsKey(required))
                return Fail($"{required} is required", out error);
        }

        try
        {
            var outDirectory = values["--out"];
            return new GenerateArguments(
                values["--model"],
                values["--prompt"],
                outDirectory,
                values.GetValueOrDefault("--usage") ?? Path.Combine(outDirectory, "usage.json"),
                Number(values, "--seed", 0, 0, ulong.MaxValue),
                (int)Number(values, "--count", 4, 1, MaxCount),
                (int)Number(values, "--scale", 4, 1, GreyPng.MaxScale),
                (int)Number(values, "--threads", (ulong)Math.Min(Environment.ProcessorCount, DefaultMaxThreads), 1, 256),
                (long)Number(values, "--max-model-bytes", 256UL << 20, 1, long.MaxValue));
        }
        catch (FormatException e)
        {
            return Fail(e.Message, out error);
        }
    }

    private static ulong Number(Dictionary<string, string> values, string name, ulong fallback, ulong min, ulong max)
    {
        if (!values.TryGetValue(name, out var text))
            return fallback;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new FormatException($"{name} must be a whole number from {min} to {max}, not '{text}'");
        return value;
    }

    private static GenerateArguments? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
