using System.Globalization;
using Nethereum.Hex.HexConvertors.Extensions;
using OpenGrid.Chain.Escrow;

namespace OpenGrid.Chain.Tests.Evm;

/// <summary>Asserts on a decoded revert: its custom error name and arguments (numbers, addresses, bytes32).</summary>
public static class Revert
{
    public static void Is(ContractRevertException revert, string errorName, params object[] arguments)
    {
        Assert.Equal(errorName, revert.ErrorName);
        Assert.Equal(arguments.Select(Normalize).ToList(), revert.Arguments.Select(Normalize).ToList());
    }

    public static string Normalize(object? value) => value switch
    {
        null => "null",
        byte[] bytes => bytes.ToHex(true),
        string s => s.ToLowerInvariant(),
        EscrowLeaseId id => id.Hex,
        Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Addresses compare case-insensitively (checksummed or not).</summary>
    public static void SameAddress(string expected, string actual) =>
        Assert.Equal(expected.ToLowerInvariant(), actual.ToLowerInvariant());
}
