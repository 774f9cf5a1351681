using System.Globalization;

namespace OpenGrid.Core;

/// <summary>An amount of the settlement token in integer base units (6 decimals, like USDC). Never floating point.</summary>
public readonly record struct TokenAmount(long BaseUnits) : IComparable<TokenAmount>
{
    public const int Decimals = 6;
    public const long UnitsPerToken = 1_000_000;

    public static TokenAmount FromBaseUnits(long units) => new(units);

    /// <summary>Parses a decimal string such as <c>0.50</c> or <c>12</c> exactly; more than 6 decimals is an error.</summary>
    public static bool TryParse(string? text, out TokenAmount amount)
    {
        amount = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 24)
            return false;
        var parts = text.Split('.');
        if (parts.Length > 2 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiDigit))
            return false;
        var frac = parts.Length == 2 ? parts[1] : "";
        if (frac.Length > Decimals || (parts.Length == 2 && frac.Length == 0) || !frac.All(char.IsAsciiDigit))
            return false;
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
            return false;
        var fracUnits = frac.Length == 0 ? 0 : long.Parse(frac.PadRight(Decimals, '0'), CultureInfo.InvariantCulture);
        try
        {
            amount = new TokenAmount(checked(whole * UnitsPerToken + fracUnits));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public int CompareTo(TokenAmount other) => BaseUnits.CompareTo(other.BaseUnits);

    /// <summary>Formats with exactly 6 decimals: <c>0.500000</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{BaseUnits / UnitsPerToken}.{Math.Abs(BaseUnits % UnitsPerToken):D6}");
}
