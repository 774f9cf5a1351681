using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OpenGrid.Cli.Output;

/// <summary>Machine output for <c>--json</c>: the wire JSON (OpenGridJsonContext), one document per line.</summary>
internal static class JsonOutput
{
    public static void Write<T>(TextWriter writer, T value, JsonTypeInfo<T> type) =>
        writer.WriteLine(JsonSerializer.Serialize(value, type));
}
