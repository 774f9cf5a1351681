using System.Text.RegularExpressions;

namespace OpenGrid.Runners.Onnx.Model;

/// <summary>Turns ONNX Runtime's error text into the one line og-onnx prints.</summary>
internal static partial class OnnxErrors
{
    /// <summary>Drops the <c>[ErrorCode:…]</c> prefix and the "Load model from PATH failed:" preamble, and joins
    /// the lines.</summary>
    public static string OneLine(string message, string path)
    {
        var text = ErrorCodePrefix().Replace(message, "");
        text = text.Replace($"Load model from {path} failed:", "", StringComparison.Ordinal);
        return Whitespace().Replace(text, " ").Trim();
    }

    [GeneratedRegex(@"^\[ErrorCode:\w+\]\s*")]
    private static partial Regex ErrorCodePrefix();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
