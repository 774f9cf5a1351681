using System.Globalization;
using System.Text;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Hex.HexConvertors.Extensions;

namespace OpenGrid.Chain;

/// <summary>
/// A contract call reverted. <see cref="ErrorName"/> is the Solidity custom error (e.g. <c>CapExceeded</c>),
/// <c>Error</c> for a require string, <c>Panic</c>, or empty when the revert carried no data; <see cref="Code"/>
/// is the stable code for it (<c>chain.cap_exceeded</c>).
/// </summary>
public sealed class ContractRevertException : Exception
{
    public ContractRevertException(string errorName, IReadOnlyList<object?> arguments, string data, string? context = null)
        : base(Describe(errorName, arguments, context))
    {
        ErrorName = errorName;
        Arguments = arguments;
        Data = data;
    }

    public string ErrorName { get; }

    /// <summary>The error's arguments, decoded (BigInteger, string addresses, byte[] for bytes32, bool).</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The raw revert data, 0x-prefixed hex.</summary>
    public new string Data { get; }

    /// <summary>Stable code: <c>chain.</c> + the error name in snake case; <c>chain.reverted</c> when unknown.</summary>
    public string Code => ErrorName.Length == 0 ? "chain.reverted" : "chain." + SnakeCase(ErrorName);

    private static string Describe(string name, IReadOnlyList<object?> args, string? context)
    {
        var what = name.Length == 0 ? "reverted without a reason" : $"{name}({string.Join(", ", args.Select(Format))})";
        return context is null ? $"contract call {what}" : $"{context}: contract call {what}";
    }

    private static string Format(object? value) => value switch
    {
        byte[] bytes => bytes.ToHex(true),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}

/// <summary>Decodes revert data against the custom errors of every embedded contract artifact.</summary>
public static class RevertDecoder
{
    private const string ErrorStringSelector = "08c379a0";
    private const string PanicSelector = "4e487b71";

    private static readonly Lazy<Dictionary<string, ErrorABI>> Errors = new(() =>
        ContractArtifact.All.SelectMany(a => a.Abi.Errors)
            .GroupBy(e => e.Sha3Signature.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.First()));

    public static ContractRevertException Decode(string? hexData, string? context = null)
    {
        var data = string.IsNullOrEmpty(hexData) ? "0x" : hexData.EnsureHexPrefix();
        var body = data[2..].ToLowerInvariant();
        if (body.Length < 8)
            return new ContractRevertException("", [], data, context);
        var selector = body[..8];
        var decoder = new FunctionCallDecoder();
        if (selector == ErrorStringSelector)
            return new ContractRevertException("Error", [decoder.DecodeFunctionErrorMessage(data)], data, context);
        if (selector == PanicSelector)
            return new ContractRevertException("Panic", [new Nethereum.ABI.Decoders.IntTypeDecoder().DecodeBigInteger(body[8..].HexToByteArray())], data, context);
        if (Errors.Value.TryGetValue(selector, out var abi))
        {
            var args = decoder.DecodeError(abi, data).Select(p => p.Result).ToList();
            return new ContractRevertException(abi.Name, args, data, context);
        }
        return new ContractRevertException("", [], data, context);
    }
}
