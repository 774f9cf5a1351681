namespace OpenGrid.Verification;

/// <summary>Whether two replicas' outputs agree, and a one-line human reason naming the file and the first
/// difference (or what was compared when they agree).</summary>
public sealed record Comparison(bool Agree, string Detail)
{
    internal static Comparison Agreed(string path, string detail) => new(true, $"{path}: {detail}");

    internal static Comparison Differs(string path, string detail) => new(false, $"{path}: {detail}");
}
