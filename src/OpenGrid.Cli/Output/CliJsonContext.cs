using System.Text.Json;
using System.Text.Json.Serialization;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Output;

/// <summary><c>og validate --json</c>: whether the spec is valid, its name, and its errors (the API's spec error shape).</summary>
internal sealed record ValidationView(bool Valid, string? Name, IReadOnlyList<SpecErrorView> Errors);

/// <summary>JSON of CLI-only documents, in the same style as the wire types (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ValidationView))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
