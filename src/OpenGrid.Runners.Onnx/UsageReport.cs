using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenGrid.Runners.Onnx;

/// <summary>The contents of usage.json: what one og-onnx run made and how fast. Times in milliseconds;
/// <see cref="ImagesPerSecond"/> counts decoding and PNG encoding, not loading the model.</summary>
internal sealed record UsageReport(
    int Images,
    int Width,
    int Height,
    string Label,
    int LabelIndex,
    ulong Seed,
    long ModelBytes,
    int Threads,
    double LoadMs,
    double GenerateMs,
    double ImagesPerSecond)
{
    public void WriteTo(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, UsageJsonContext.Default.UsageReport) + "\n");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(UsageReport))]
internal sealed partial class UsageJsonContext : JsonSerializerContext;
