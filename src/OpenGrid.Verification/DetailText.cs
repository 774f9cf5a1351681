using System.Globalization;
using System.Text;

namespace OpenGrid.Verification;

/// <summary>Puts replica content into a one-line detail: quoted, control characters escaped, long values cut.</summary>
internal static class DetailText
{
    private const int MaxChars = 40;

    /// <summary><c>'value'</c> with newlines and other control characters escaped, cut to 40 characters.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxChars) + 8).Append('\'');
        foreach (var c in value.Length > MaxChars ? value[..MaxChars] : value)
        {
            _ = c switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                _ when char.IsControl(c) => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append(value.Length > MaxChars ? "…'" : "'").ToString();
    }

    /// <summary>A number for a detail, invariant and short (<c>0.05</c>, <c>1E-09</c>).</summary>
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
