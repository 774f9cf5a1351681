using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenGrid.Verification;

/// <summary>
/// One parsed JSON document. Also accepts the bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> that Python's
/// <c>json.dumps</c> writes: they are rewritten to strings carrying a Unicode noncharacter mark before parsing, and
/// only a document that needed the rewrite (and had no such mark of its own) reads those strings back as numbers.
/// </summary>
internal sealed class JsonContent : IDisposable
{
    private const char NonFiniteMark = '\uFDD0';
    private const string MarkEscape = "\\ufdd0";
    private static readonly string[] NonFiniteLiterals = ["NaN", "Infinity", "-Infinity"];

    private readonly JsonDocument _document;
    private readonly bool _hasNonFiniteMarks;

    private JsonContent(JsonDocument document, bool hasNonFiniteMarks)
    {
        _document = document;
        _hasNonFiniteMarks = hasNonFiniteMarks;
    }

    public JsonElement Root => _document.RootElement;

    /// <summary>The document, or null when the bytes are not one JSON value (a UTF-8 byte order mark is skipped).</summary>
    public static JsonContent? TryParse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (TryParseDocument(utf8) is { } strict)
        {
            return new JsonContent(strict, hasNonFiniteMarks: false);
        }

        return RewriteNonFiniteLiterals(utf8) is { } rewritten && TryParseDocument(rewritten) is { } lenient
            ? new JsonContent(lenient, hasNonFiniteMarks: true)
            : null;
    }

    /// <summary>Whether <paramref name="element"/> is a number (or a rewritten NaN/Infinity), with its value and
    /// its text as written. False for numbers beyond double's range: those are compared as text.</summary>
    public bool TryGetNumber(JsonElement element, out double value, out string text)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value))
        {
            text = element.GetRawText();
            return true;
        }

        if (_hasNonFiniteMarks && element.ValueKind == JsonValueKind.String
            && element.GetString() is [NonFiniteMark, .. var literal])
        {
            text = literal;
            value = double.Parse(literal, CultureInfo.InvariantCulture);
            return true;
        }

        (value, text) = (0, "");
        return false;
    }

    public void Dispose() => _document.Dispose();

    private static JsonDocument? TryParseDocument(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return null;
            }

            if (reader.Read())
            {
                document.Dispose();
                return null;
            }

            return document;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The bytes with each bare NaN/Infinity/-Infinity outside strings turned into a marked string, or
    /// null when there is none (or the document already holds the mark, which would make the rewrite ambiguous).</summary>
    private static byte[]? RewriteNonFiniteLiterals(ReadOnlySpan<byte> utf8)
    {
        if (ContainsMark(utf8))
        {
            return null;
        }

        var output = new List<byte>(utf8.Length + 32);
        var inString = false;
        var rewrote = false;
        for (var i = 0; i < utf8.Length; i++)
        {
            var c = utf8[i];
            if (inString)
            {
                output.Add(c);
                if (c == '\\' && i + 1 < utf8.Length)
                {
                    output.Add(utf8[++i]);
                }

                inString = c != '"';
                continue;
            }

            if (NonFiniteLiteralAt(utf8[i..]) is { } literal)
            {
                output.AddRange(Encoding.ASCII.GetBytes($"\"{MarkEscape}{literal}\""));
                i += literal.Length - 1;
                rewrote = true;
                continue;
            }

            inString = c == '"';
            output.Add(c);
        }

        return rewrote ? [.. output] : null;
    }

    private static string? NonFiniteLiteralAt(ReadOnlySpan<byte> rest)
    {
        foreach (var literal in NonFiniteLiterals)
        {
            if (rest.Length >= literal.Length && Ascii.Equals(rest[..literal.Length], literal))
            {
                return literal;
            }
        }

        return null;
    }

    /// <summary>Whether the mark appears raw or escaped (a false positive only disables the rewrite).</summary>
    private static bool ContainsMark(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOf(Encoding.UTF8.GetBytes(NonFiniteMark.ToString())) >= 0)
        {
            return true;
        }

        for (var rest = utf8; rest.IndexOf("\\u"u8) is var at and >= 0; rest = rest[(at + 2)..])
        {
            if (rest.Length >= at + MarkEscape.Length && Ascii.EqualsIgnoreCase(rest.Slice(at, MarkEscape.Length), MarkEscape))
            {
                return true;
            }
        }

        return false;
    }
}
