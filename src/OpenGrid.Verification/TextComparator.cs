using System.Text;
using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>
/// Text outputs (e.g. seeded LLM output) agree when their words agree: with
/// <see cref="ComparatorOptions.NormalizeWhitespace"/> runs of whitespace collapse, the ends are trimmed and line
/// endings do not matter (equivalently, the whitespace-separated words are equal); without it the text must be equal.
/// Bytes that are not valid UTF-8 are compared exactly.
/// </summary>
public sealed class TextComparator : IOutputComparator
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The one instance (the comparator has no state).</summary>
    public static TextComparator Instance { get; } = new();

    private TextComparator()
    {
    }

    /// <inheritdoc/>
    public CompareMode Kind => CompareMode.Text;

    /// <inheritdoc/>
    public Comparison Compare(string path, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ComparatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (a.SequenceEqual(b))
        {
            return Comparison.Agreed(path, $"identical ({a.Length} bytes)");
        }

        if (!TryDecode(a, out var textA) || !TryDecode(b, out var textB))
        {
            return Comparison.Differs(path, $"not valid UTF-8, compared exactly: {ExactComparator.FirstDifference(a, b)}");
        }

        if (!options.NormalizeWhitespace)
        {
            var at = textA.AsSpan().CommonPrefixLength(textB);
            return Comparison.Differs(path,
                $"{Position(textA, at)}: {DetailText.Quote(textA[at..])} vs {DetailText.Quote(textB[at..])}");
        }

        using var wordsA = Words(textA).GetEnumerator();
        using var wordsB = Words(textB).GetEnumerator();
        for (var index = 1; ; index++)
        {
            var (hasA, hasB) = (wordsA.MoveNext(), wordsB.MoveNext());
            if (!hasA && !hasB)
            {
                return Comparison.Agreed(path, $"same {index - 1} words (whitespace ignored)");
            }

            if (hasA && hasB && wordsA.Current.Word == wordsB.Current.Word)
            {
                continue;
            }

            var (word, start) = hasA ? wordsA.Current : wordsB.Current;
            return Comparison.Differs(path, (hasA, hasB) switch
            {
                (true, true) => $"word {index} ({Position(textA, start)}): {DetailText.Quote(word)} vs {DetailText.Quote(wordsB.Current.Word)}",
                (true, false) => $"a has more words: word {index} ({Position(textA, start)}) is {DetailText.Quote(word)}",
                _ => $"b has more words: word {index} ({Position(textB, start)}) is {DetailText.Quote(word)}",
            });
        }
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>The whitespace-separated words of <paramref name="text"/> with their start index.</summary>
    private static IEnumerable<(string Word, int Start)> Words(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            yield return (text[start..i], start);
        }
    }

    /// <summary><c>line 3, column 7</c> (1-based, in characters) of index <paramref name="at"/>.</summary>
    private static string Position(string text, int at)
    {
        var before = text.AsSpan(0, at);
        var lineStart = before.LastIndexOf('\n') + 1;
        return $"line {before.Count('\n') + 1}, column {at - lineStart + 1}";
    }
}
