using System.Globalization;
using System.Text;

namespace OpenGrid.Core.Specs;

/// <summary>How a user's value appears inside an error message.</summary>
public static class SpecText
{
    /// <summary>Values longer than this are cut, with an ellipsis.</summary>
    public const int MaxShownChars = 40;

    /// <summary>Quotes a value: control characters escaped as <c>\uXXXX</c>, long values cut.</summary>
    public static string Quote(string? text)
    {
        text ??= "";
        var shown = new StringBuilder("'");
        foreach (var c in text.Length > MaxShownChars ? text[..MaxShownChars] : text)
        {
            if (char.IsControl(c))
                shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                shown.Append(c);
        }

        if (text.Length > MaxShownChars)
            shown.Append('…');
        return shown.Append('\'').ToString();
    }
}
