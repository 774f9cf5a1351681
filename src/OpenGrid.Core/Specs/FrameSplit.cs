using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OpenGrid.Core.Specs;

/// <summary>
/// A job split into one job per frame (<c>split: { frames: "1-8" }</c>): the frames in ascending order, no duplicates.
/// <c>og submit</c> expands it, giving each job the environment variable <see cref="FrameVariable"/>; the coordinator
/// only ever sees the expanded jobs (docs/adr/0007-frame-split.md).
/// </summary>
public sealed record FrameSplit(IReadOnlyList<int> Frames)
{
    /// <summary>The environment variable that carries each job's frame number.</summary>
    public const string FrameVariable = "FRAME";

    public const string Hint = "use frame numbers and ranges separated by commas, ascending, e.g. 1-8 or 1,5,10-12";

    /// <summary>
    /// Parses <c>N</c>, <c>A-B</c> (A ≤ B) or a comma-separated list of them, strictly ascending, each frame from 0 to
    /// <paramref name="maxFrame"/>, at most <paramref name="maxFrames"/> frames in all.
    /// </summary>
    public static bool TryParse(string text, int maxFrame, int maxFrames, [NotNullWhen(true)] out FrameSplit? split, [NotNullWhen(false)] out string? error)
    {
        split = null;
        var frames = new List<int>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var (firstText, lastText) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!TryFrame(firstText, out var first) || !TryFrame(lastText, out var last))
            {
                error = $"'{text}' is not a frame list; {Hint}";
                return false;
            }

            if (first > maxFrame || last > maxFrame)
            {
                error = $"frame {Math.Max(first, last)} is out of range; valid: 0 to {maxFrame}";
                return false;
            }

            if (first > last)
            {
                error = $"range '{part}' runs backwards; write it as {last}-{first}";
                return false;
            }

            if (frames.Count > 0 && first <= frames[^1])
            {
                error = $"frame {first} comes after {frames[^1]}; list frames once each, in ascending order";
                return false;
            }

            if (frames.Count + (long)last - first + 1 > maxFrames)
            {
                error = $"'{text}' has more than {maxFrames} frames; split the render into several submissions";
                return false;
            }

            for (var frame = first; frame <= last; frame++)
                frames.Add(frame);
        }

        split = new FrameSplit(frames);
        error = null;
        return true;
    }

    /// <summary>The canonical text: ascending runs as <c>A-B</c>, single frames alone, joined by commas (<c>1-8,10</c>).</summary>
    public string Format()
    {
        var parts = new List<string>();
        for (var i = 0; i < Frames.Count;)
        {
            var j = i;
            while (j + 1 < Frames.Count && Frames[j + 1] == Frames[j] + 1)
                j++;
            parts.Add(i == j ? Number(Frames[i]) : $"{Number(Frames[i])}-{Number(Frames[j])}");
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    // Digits only: no sign, no spaces, no leading '+'; at most 9 digits so it fits an int before the range check.
    private static bool TryFrame(string text, out int frame)
    {
        frame = 0;
        return text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out frame);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
