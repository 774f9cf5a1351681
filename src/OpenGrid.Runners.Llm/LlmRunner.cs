using System.Text;
using OpenGrid.Runners.Llm.Gguf;
using OpenGrid.Runners.Llm.Inference;

namespace OpenGrid.Runners.Llm;

/// <summary>
/// One og-llm run: check the inputs (the model is untrusted: <see cref="GgufInspector"/> first), generate while
/// streaming text to stdout, then write the completion and usage.json and a one-line summary to stderr. Every
/// refusal is one line on stderr, <c>og-llm: …</c>, and a non-zero exit status (<see cref="RunnerExitCodes"/>).
/// </summary>
internal static class LlmRunner
{
    private const int MaxPromptBytes = 1 << 20;

    public static int Run(LlmArguments args, Stream stdout, TextWriter stderr)
    {
        if (!File.Exists(args.PromptPath))
            return Refuse(stderr, RunnerExitCodes.Usage, $"the prompt file {args.PromptPath} does not exist");
        if (new FileInfo(args.PromptPath).Length > MaxPromptBytes)
            return Refuse(stderr, RunnerExitCodes.Usage, $"the prompt file {args.PromptPath} is larger than {MaxPromptBytes} bytes");
        if (!File.Exists(args.ModelPath))
            return Refuse(stderr, RunnerExitCodes.ModelRefused, $"the model file {args.ModelPath} does not exist");

        var inspection = GgufInspector.Inspect(args.ModelPath, new GgufLimits(MaxFileBytes: args.MaxModelBytes));
        if (inspection.Model is not { } model)
            return Refuse(stderr, RunnerExitCodes.ModelRefused, $"{args.ModelPath} is not a usable GGUF model: {inspection.Error}");

        NativeLog.Configure(stderr, args.Verbose);
        var request = new GenerationRequest(
            args.ModelPath, model.ContextLength, File.ReadAllText(args.PromptPath, Encoding.UTF8), args.MaxTokens,
            args.Seed, args.Temperature, args.Threads, args.Context);
        GenerationResult result;
        try
        {
            result = TextGenerator.Generate(request, piece =>
            {
                stdout.Write(Encoding.UTF8.GetBytes(piece));
                stdout.Flush();
            });
        }
        catch (GenerationException e)
        {
            return Refuse(stderr, e.ModelRefused ? RunnerExitCodes.ModelRefused : RunnerExitCodes.Failed, e.Message);
        }

        stdout.Write("\n"u8);
        stdout.Flush();
        try
        {
            File.WriteAllText(args.OutPath, result.Text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            UsageReport.From(result, model.Architecture, model.FileBytes, args.Threads).WriteTo(args.UsagePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse(stderr, RunnerExitCodes.Failed, $"writing the outputs failed: {e.Message}");
        }

        stderr.WriteLine(
            $"og-llm: {result.PromptTokens} prompt tokens, {result.GeneratedTokens} generated ({result.StopReason}) " +
            $"at {result.TokensPerSecond:0.0} tokens/s; model loaded in {result.Load.TotalMilliseconds:0} ms");
        return RunnerExitCodes.Ok;
    }

    private static int Refuse(TextWriter stderr, int exitCode, string message)
    {
        stderr.WriteLine("og-llm: " + message);
        return exitCode;
    }
}
