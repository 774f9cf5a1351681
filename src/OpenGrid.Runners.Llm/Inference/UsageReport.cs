using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenGrid.Runners.Llm.Inference;

/// <summary>The contents of usage.json: token counts and timings of one generation. Times in milliseconds.</summary>
internal sealed record UsageReport(
    string Architecture,
    long ModelBytes,
    int PromptTokens,
    int GeneratedTokens,
    int ContextTokens,
    int Threads,
    double LoadMs,
    double PromptMs,
    double GenerationMs,
    double TokensPerSecond,
    string StopReason)
{
    public static UsageReport From(GenerationResult result, string architecture, long modelBytes, int threads) =>
        new(architecture, modelBytes, result.PromptTokens, result.GeneratedTokens, result.ContextTokens, threads,
            Math.Round(result.Load.TotalMilliseconds, 1), Math.Round(result.PromptEvaluation.TotalMilliseconds, 1),
            Math.Round(result.Generation.TotalMilliseconds, 1), Math.Round(result.TokensPerSecond, 1), result.StopReason);

    public void WriteTo(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, UsageJsonContext.Default.UsageReport) + "\n");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UsageReport))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
