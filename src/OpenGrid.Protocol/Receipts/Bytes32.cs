using System.Buffers;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// A 32-byte value (a keccak256 hash or a Solidity <c>bytes32</c>), compared by content and written as 0x-prefixed
/// lower-case hex. <c>default(Bytes32)</c> is all zeros, the <see cref="Zero"/> hash.
/// </summary>
public readonly struct Bytes32 : IEquatable<Bytes32>
{
    /// <summary>Length in bytes.</summary>
    public const int Length = 32;

    internal static readonly SearchValues<char> HexDigits =
        SearchValues.Create("0123456789abcdefABCDEF");

    private readonly byte[]? _bytes;

    private Bytes32(byte[] bytes) => _bytes = bytes;

    /// <summary>All zeros: the previous-receipt hash of a provider's first receipt.</summary>
    public static Bytes32 Zero => default;

    /// <summary>The 32 bytes (zeros for <see cref="Zero"/>).</summary>
    public ReadOnlySpan<byte> Span => _bytes ?? new byte[Length];

    public bool IsZero => _bytes is null || Array.TrueForAll(_bytes, b => b == 0);

    /// <summary>Copies exactly 32 bytes.</summary>
    public static Bytes32 From(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length
            ? new Bytes32(bytes.ToArray())
            : throw new ArgumentException($"A bytes32 value is {Length} bytes, not {bytes.Length}.", nameof(bytes));

    /// <summary>Parses <c>0x</c> followed by 64 hex digits (either case). Safe on untrusted input.</summary>
    public static bool TryParse(string? text, out Bytes32 value)
    {
        value = default;
        if (text is null || text.Length != 2 + 2 * Length || !text.StartsWith("0x", StringComparison.Ordinal))
            return false;
        var hex = text.AsSpan(2);
        if (hex.ContainsAnyExcept(HexDigits))
            return false;
        value = new Bytes32(Convert.FromHexString(hex));
        return true;
    }

    public static Bytes32 Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not 0x followed by 64 hex digits");

    public byte[] ToArray() => Span.ToArray();

    public bool Equals(Bytes32 other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(Span[..4]);

    public static bool operator ==(Bytes32 left, Bytes32 right) => left.Equals(right);

    public static bool operator !=(Bytes32 left, Bytes32 right) => !left.Equals(right);

    /// <summary>0x-prefixed lower-case hex, 66 characters.</summary>
    public override string ToString() => "0x" + Convert.ToHexStringLower(Span);
}
