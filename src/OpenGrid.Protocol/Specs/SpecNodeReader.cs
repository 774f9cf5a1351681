using OpenGrid.Core.Specs;
using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpenGrid.Protocol.Specs;

/// <summary>
/// Typed reads from the YAML representation model that report what went wrong, where, instead of throwing.
/// Each read returns null after reporting, so the caller skips the checks that depend on the bad value (no cascade).
/// </summary>
internal sealed class SpecNodeReader(string file)
{
    private const int MaxSuggestionDistance = 2;
    private const int MinAbbreviationLength = 3;

    private readonly List<SpecError> _errors = [];

    public int ErrorCount => _errors.Count;

    /// <summary>The errors in document order (line, then column).</summary>
    public IReadOnlyList<SpecError> Errors => [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];

    public static string Field(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    public static string Item(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";

    public void Report(Mark at, string path, string message) =>
        _errors.Add(new SpecError(file, (int)at.Line, (int)at.Column, path, message));

    public void Report(YamlNode node, string path, string message) => Report(node.Start, path, message);

    public YamlMappingNode? ExpectMap(YamlNode node, string path)
    {
        if (node is YamlMappingNode map)
            return map;
        Report(node, path, $"expected a map, got {Describe(node)}");
        return null;
    }

    /// <summary>A list of at most <paramref name="maxItems"/> items.</summary>
    public YamlSequenceNode? ExpectList(YamlNode node, string path, int maxItems)
    {
        if (node is not YamlSequenceNode list)
        {
            Report(node, path, $"expected a list, got {Describe(node)}");
            return null;
        }

        if (list.Children.Count > maxItems)
        {
            Report(node, path, $"has {list.Children.Count} items; at most {maxItems} are allowed");
            return null;
        }

        return list;
    }

    /// <summary>The text of a scalar that is not null; <paramref name="expected"/> names what was wanted ("a size").</summary>
    public string? ExpectScalar(YamlNode node, string path, string expected)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
            return scalar.Value ?? "";
        Report(node, path, $"expected {expected}, got {Describe(node)}");
        return null;
    }

    /// <summary>A string of at most <paramref name="maxLength"/> characters with no NUL; YAML numbers and booleans count as their text.</summary>
    public string? ExpectString(YamlNode node, string path, int maxLength)
    {
        var text = ExpectScalar(node, path, "a string");
        if (text is null)
            return null;
        if (text.Length > maxLength)
        {
            Report(node, path, $"is {text.Length} characters long; at most {maxLength} are allowed");
            return null;
        }

        if (text.Contains('\0'))
        {
            Report(node, path, "must not contain a NUL character");
            return null;
        }

        return text;
    }

    /// <summary>A whole number in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public int? ExpectInt(YamlNode node, string path, int min, int max)
    {
        var text = ExpectScalar(node, path, "a whole number");
        if (text is null)
            return null;
        var valid = $"valid: {min} to {max}";
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            var isNumber = text.TrimStart('-', '+').All(char.IsAsciiDigit) && text.Any(char.IsAsciiDigit);
            Report(node, path, isNumber ? $"{Quote(text)} is out of range; {valid}" : $"{Quote(text)} is not a whole number; {valid}");
            return null;
        }

        if (value < min || value > max)
        {
            Report(node, path, $"{Quote(text)} is out of range; {valid}");
            return null;
        }

        return value;
    }

    /// <summary>One of <paramref name="valid"/>, exactly (case matters). <paramref name="what"/> names the field in the message.</summary>
    public string? ExpectChoice(YamlNode node, string path, string what, IReadOnlyList<string> valid)
    {
        var text = ExpectScalar(node, path, $"one of {string.Join(", ", valid)}");
        if (text is null)
            return null;
        if (valid.Contains(text, StringComparer.Ordinal))
            return text;
        Report(node, path, $"{what} {Quote(text)} is not supported; valid: {string.Join(", ", valid)}");
        return null;
    }

    /// <summary>Checks the keys of <paramref name="map"/> against <paramref name="allowed"/> and returns the values by name.</summary>
    public SpecFields Fields(YamlMappingNode map, string path, IReadOnlyList<string> allowed)
    {
        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (allowed.Contains(key, StringComparer.Ordinal))
            {
                values[key] = value;
                continue;
            }

            var fields = string.Join(", ", allowed);
            Report(keyNode, Field(path, key), Suggest(key, allowed) is { } suggestion
                ? $"unknown field {Quote(key)}; did you mean '{suggestion}'? (allowed here: {fields})"
                : $"unknown field {Quote(key)}; allowed here: {fields}");
        }

        return new SpecFields(this, map, path, values);
    }

    /// <summary>The value of <paramref name="name"/> in <paramref name="map"/>, without checking the other keys.</summary>
    public static YamlNode? Find(YamlMappingNode map, string name) =>
        map.Children.FirstOrDefault(pair => pair.Key is YamlScalarNode { Value: var key } && key == name).Value;

    /// <summary>Plain <c>~</c>, <c>null</c> or nothing at all: the YAML null.</summary>
    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a map",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar when IsNull(scalar) => "nothing (null)",
        YamlScalarNode scalar => Quote(scalar.Value),
        _ => "an alias",
    };

    /// <summary>Quotes a user's value for a message (see <see cref="SpecText.Quote"/>).</summary>
    public static string Quote(string? text) => SpecText.Quote(text);

    /// <summary>The allowed name closest to <paramref name="key"/> when it looks like a typo of it, else null.</summary>
    internal static string? Suggest(string key, IReadOnlyList<string> allowed)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in allowed)
        {
            var distance = IsAbbreviation(key, candidate) ? 1
                : Math.Abs(candidate.Length - key.Length) > MaxSuggestionDistance ? int.MaxValue
                : EditDistance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance && distance <= MaxSuggestionDistance && distance <= candidate.Length / 2)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    // "environment" for "env", "req" for "requires": one is the start of the other, both long enough to mean it.
    private static bool IsAbbreviation(string key, string candidate)
    {
        var (shorter, longer) = key.Length < candidate.Length ? (key, candidate) : (candidate, key);
        return shorter.Length >= MinAbbreviationLength && longer.StartsWith(shorter, StringComparison.OrdinalIgnoreCase);
    }

    // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }

        return d[a.Length, b.Length];
    }
}

/// <summary>The known fields of one YAML map, by name.</summary>
internal sealed class SpecFields(SpecNodeReader reader, YamlMappingNode map, string path, Dictionary<string, YamlNode> values)
{
    public YamlNode? Optional(string name) => values.GetValueOrDefault(name);

    /// <summary>The value, or null after reporting the missing field at the enclosing map.</summary>
    public YamlNode? Required(string name)
    {
        if (values.TryGetValue(name, out var value))
            return value;
        reader.Report(map, SpecNodeReader.Field(path, name), $"missing required field '{name}'");
        return null;
    }
}
