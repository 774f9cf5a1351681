using OpenGrid.Runners.Llm;
using OpenGrid.Runners.Llm.Gguf;

// og-llm: text generation from a GGUF model, run inside a job's sandbox. See docs/runners.md.
if (args is ["tiny-model", var path])
{
    TinyLlama.WriteAlphabetModel(path);
    Console.Out.WriteLine($"wrote the tiny alphabet model to {path}");
    return RunnerExitCodes.Ok;
}

var arguments = LlmArguments.Parse(args, out var error);
if (arguments is null)
{
    if (error is null)
    {
        Console.Out.WriteLine(LlmArguments.Usage);
        return RunnerExitCodes.Ok;
    }

    Console.Error.WriteLine($"og-llm: {error} (og-llm --help shows the options)");
    return RunnerExitCodes.Usage;
}

using var stdout = Console.OpenStandardOutput();
return LlmRunner.Run(arguments, stdout, Console.Error);
