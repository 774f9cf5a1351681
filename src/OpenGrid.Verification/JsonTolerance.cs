using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenGrid.Verification;

/// <summary>
/// Compares two JSON documents: the same structure (object keys in any order, arrays in order), the same strings,
/// booleans and nulls, numbers within <see cref="NumericTolerance"/>. Reports the JSONPath of the first difference.
/// </summary>
internal sealed partial class JsonTolerance(JsonContent a, JsonContent b, ComparatorOptions options)
{
    /// <summary>The first difference as <c>$.path: reason</c>, or null when the documents agree.</summary>
    public string? FirstDifference() => Compare(a.Root, b.Root, "$");

    private string? Compare(JsonElement x, JsonElement y, string path)
    {
        var xIsNumber = a.TryGetNumber(x, out var xValue, out var xText);
        var yIsNumber = b.TryGetNumber(y, out var yValue, out var yText);
        if (xIsNumber && yIsNumber)
        {
            return NumericTolerance.Within(xValue, yValue, options)
                ? null
                : $"{path} {NumericTolerance.Describe(xText, yText, xValue, yValue, options)}";
        }

        if (xIsNumber || yIsNumber || x.ValueKind != y.ValueKind)
        {
            return $"{path} {Describe(a, x)} vs {Describe(b, y)}";
        }

        return x.ValueKind switch
        {
            JsonValueKind.Object => CompareObjects(x, y, path),
            JsonValueKind.Array => CompareArrays(x, y, path),
            JsonValueKind.String when x.GetString() != y.GetString() => $"{path} {Describe(a, x)} vs {Describe(b, y)}",
            JsonValueKind.Number when x.GetRawText() != y.GetRawText() => $"{path} {Describe(a, x)} vs {Describe(b, y)}",
            _ => null, // equal strings, numbers beyond double's range written alike, true, false, null
        };
    }

    private string? CompareObjects(JsonElement x, JsonElement y, string path)
    {
        foreach (var property in x.EnumerateObject())
        {
            if (!y.TryGetProperty(property.Name, out _))
            {
                return $"{Member(path, property.Name)} only in a";
            }
        }

        foreach (var property in y.EnumerateObject())
        {
            if (!x.TryGetProperty(property.Name, out _))
            {
                return $"{Member(path, property.Name)} only in b";
            }
        }

        var xCount = x.EnumerateObject().Count();
        var yCount = y.EnumerateObject().Count();
        if (xCount != yCount)
        {
            return $"{path} has {xCount} vs {yCount} members (a key is repeated)";
        }

        foreach (var property in x.EnumerateObject())
        {
            if (Compare(property.Value, y.GetProperty(property.Name), Member(path, property.Name)) is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private string? CompareArrays(JsonElement x, JsonElement y, string path)
    {
        if (x.GetArrayLength() != y.GetArrayLength())
        {
            return $"{path} has {x.GetArrayLength()} vs {y.GetArrayLength()} items";
        }

        var index = 0;
        foreach (var (xItem, yItem) in x.EnumerateArray().Zip(y.EnumerateArray()))
        {
            if (Compare(xItem, yItem, $"{path}[{index++}]") is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private static string Describe(JsonContent document, JsonElement element) => element.ValueKind switch
    {
        _ when document.TryGetNumber(element, out _, out var text) => text,
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        JsonValueKind.String => DetailText.Quote(element.GetString()!),
        _ => element.GetRawText(), // numbers as written, true, false, null
    };

    private static string Member(string path, string name) =>
        PlainName().IsMatch(name) ? $"{path}.{name}" : $"{path}[{DetailText.Quote(name)}]";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainName();
}
