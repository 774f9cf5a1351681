using System.Numerics;
using OpenGrid.Core;

namespace OpenGrid.Chain;

/// <summary>
/// Converts between <see cref="TokenAmount"/> (the domain's base units) and the contracts' uint256 base units.
/// Both are integers in the same unit (6 decimals), so the conversion is exact or throws.
/// </summary>
public static class ChainAmount
{
    public static BigInteger ToWire(TokenAmount amount) =>
        amount.BaseUnits >= 0
            ? new BigInteger(amount.BaseUnits)
            : throw new ArgumentOutOfRangeException(nameof(amount), amount, "on-chain amounts cannot be negative");

    /// <exception cref="OverflowException">The on-chain value does not fit a <see cref="TokenAmount"/>.</exception>
    public static TokenAmount FromWire(BigInteger units) => TokenAmount.FromBaseUnits(checked((long)units));
}
