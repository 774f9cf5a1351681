using System.Globalization;
using OpenGrid.Runners.Common;

namespace OpenGrid.Runners.Llm;

/// <summary>og-llm's command line, parsed and range-checked.</summary>
/// <param name="Temperature">0 = greedy (the most likely token every time); above 0, seeded sampling.</param>
/// <param name="Threads">CPU threads for llama.cpp; match the job's <c>resources.cpu</c>.</param>
/// <param name="Context">Context window in tokens; 0 = prompt plus <paramref name="MaxTokens"/>, at most the
/// model's training context.</param>
/// <param name="UsagePath">Where usage.json goes; default: beside <paramref name="OutPath"/>.</param>
internal sealed record LlmArguments(
    string ModelPath,
    string PromptPath,
    string OutPath,
    string UsagePath,
    int MaxTokens,
    uint Seed,
    float Temperature,
    int Threads,
    int Context,
    long MaxModelBytes,
    bool Verbose)
{
    public const string Usage = """
        usage: og-llm --model FILE.gguf --prompt-file FILE --out FILE [options]
               og-llm tiny-model FILE.gguf     (writes a 1.6 MB test model whose greedy output walks the alphabet)

        Generates text from a GGUF model with llama.cpp, streaming each token to stdout as it is produced.
          --model FILE          the GGUF model (untrusted: its header is checked before llama.cpp reads it)
          --prompt-file FILE    the prompt, UTF-8
          --out FILE            where the completion is written (e.g. /out/completion.txt)
          --usage FILE          where usage.json is written (default: beside --out)
          --max-tokens N        most tokens to generate (default 128)
          --temperature T       0 = greedy (default); above 0, sampling seeded by --seed
          --seed S              sampling seed, 0 to 4294967295 (default 0)
          --threads N           CPU threads (default: the processors seen, at most 8)
          --context N           context window in tokens (default: prompt + max tokens)
          --max-model-bytes N   refuse larger model files (default 68719476736, 64 GiB)
          --verbose             also print llama.cpp's own log to stderr
        Exit status: 0 done, 1 generation failed, 2 bad arguments, 3 the model was refused.
        """;

    private const int MaxTokensLimit = 1 << 20;
    private const int DefaultMaxThreads = 8;

    /// <summary>The arguments, or null with <paramref name="error"/> set (null for both: help was asked for).</summary>
    public static LlmArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = RunnerOptions.Parse(args,
            ["--model", "--prompt-file", "--out", "--usage", "--max-tokens", "--temperature", "--seed", "--threads", "--context", "--max-model-bytes"],
            ["--verbose"], ["--model", "--prompt-file", "--out"], out error);
        if (options is null)
            return null;
        try
        {
            var outPath = options.Value("--out");
            return new LlmArguments(
                options.Value("--model"),
                options.Value("--prompt-file"),
                outPath,
                options.Optional("--usage") ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, "usage.json"),
                (int)options.Number("--max-tokens", 128, 1, MaxTokensLimit),
                (uint)options.Number("--seed", 0, 0, uint.MaxValue),
                ParseTemperature(options.Optional("--temperature")),
                (int)options.Number("--threads", (ulong)Math.Min(Environment.ProcessorCount, DefaultMaxThreads), 1, 512),
                (int)options.Number("--context", 0, 0, MaxTokensLimit * 2UL),
                (long)options.Number("--max-model-bytes", 64UL << 30, 1, long.MaxValue),
                options.Flag("--verbose"));
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static float ParseTemperature(string? text)
    {
        if (text is null)
            return 0;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value is >= 0 and <= 10))
            throw new FormatException($"--temperature must be a number from 0 to 10, not '{text}'");
        return value;
    }
}
