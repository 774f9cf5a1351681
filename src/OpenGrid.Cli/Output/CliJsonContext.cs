using System.Text.Json;
using System.Text.Json.Serialization;
using OpenGrid.Protocol;

namespace OpenGrid.Cli.Output;

/// <summary><c>og validate --json</c>: whether the spec is valid, its name, and its errors (the API's spec error shape).</summary>
internal sealed record ValidationView(bool Valid, string? Name, IReadOnlyList<SpecErrorView> Errors);

/// <summary><c>og earnings --json</c>: a provider's earnings and stake, 6-decimal strings.</summary>
internal sealed record EarningsView(string Address, string Earnings, string Bonded, string Unbonding);

/// <summary>JSON of CLI-only documents, in the same style as the wire types (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ValidationView))]
[JsonSerializable(typeof(EarningsView))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
