using OpenGrid.Runners.Onnx;

// og-onnx: images from a conditional ONNX decoder, run inside a job's sandbox. See docs/runners.md.
if (args is [] or ["--help"] or ["-h"])
{
    Console.Out.WriteLine(GenerateArguments.Usage);
    return RunnerExitCodes.Ok;
}

if (args[0] != "generate")
{
    Console.Error.WriteLine($"og-onnx: unknown command '{args[0]}' (og-onnx --help shows the commands)");
    return RunnerExitCodes.Usage;
}

var arguments = GenerateArguments.Parse(args[1..], out var error);
if (arguments is null)
{
    if (error is null)
    {
        Console.Out.WriteLine(GenerateArguments.Usage);
        return RunnerExitCodes.Ok;
    }

    Console.Error.WriteLine($"og-onnx: {error} (og-onnx --help shows the options)");
    return RunnerExitCodes.Usage;
}

return OnnxRunner.Generate(arguments, Console.Out, Console.Error);
