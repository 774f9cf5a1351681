namespace OpenGrid.Core.Content;

/// <summary>RFC 4648 base32, lower-case alphabet, no padding: the multibase <c>b</c> encoding.</summary>
internal static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static int EncodedLength(int byteCount) => (int)(((long)byteCount * 8 + 4) / 5);

    /// <summary>Encodes <paramref name="data"/>, optionally after a one-character prefix (the multibase code).</summary>
    public static string Encode(ReadOnlySpan<byte> data, char? prefix = null)
    {
        var offset = prefix is null ? 0 : 1;
        var length = offset + EncodedLength(data.Length);
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        if (prefix is { } p)
            chars[0] = p;

        var pos = offset;
        var buffer = 0;
        var bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                chars[pos++] = Alphabet[(buffer >> bits) & 0x1F];
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0)
            chars[pos++] = Alphabet[(buffer << (5 - bits)) & 0x1F];
        return new string(chars[..pos]);
    }

    /// <summary>
    /// Decodes strictly: only the lower-case alphabet, no padding, no impossible lengths, and the unused low bits
    /// of the last character must be zero, so every byte string has exactly one accepted text.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        var rem = text.Length % 8;
        if (rem is 1 or 3 or 6)
            return false;
        var byteCount = (int)((long)text.Length * 5 / 8);
        if (byteCount > destination.Length)
            return false;

        var buffer = 0;
        var bits = 0;
        foreach (var c in text)
        {
            int v;
            if (c is >= 'a' and <= 'z')
                v = c - 'a';
            else if (c is >= '2' and <= '7')
                v = c - '2' + 26;
            else
                return false;
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                destination[written++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        if (buffer != 0)
        {
            written = 0;
            return false; // non-zero padding bits: a second spelling of the same bytes
        }
        return true;
    }
}
