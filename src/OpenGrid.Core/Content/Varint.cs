namespace OpenGrid.Core.Content;

/// <summary>Unsigned LEB128 varints, as used by multiformats and protobuf. Decoding accepts only the minimal form.</summary>
internal static class Varint
{
    public const int MaxLength = 10;

    public static int SizeOf(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int Write(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads one varint; false when truncated, longer than 64 bits, or not minimally encoded.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int length)
    {
        value = 0;
        length = 0;
        for (var i = 0; i < source.Length && i < MaxLength; i++)
        {
            var b = source[i];
            var bits = (ulong)(b & 0x7F);
            if (i == MaxLength - 1 && bits > 1)
                return false; // more than 64 bits
            value |= bits << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (i > 0 && b == 0)
                    return false; // trailing zero group: not minimal
                length = i + 1;
                return true;
            }
        }
        value = 0;
        return false;
    }
}
