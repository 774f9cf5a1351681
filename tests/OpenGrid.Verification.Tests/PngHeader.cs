using System.Buffers.Binary;
using System.IO.Compression;

namespace OpenGrid.Verification.Tests;

/// <summary>Writes PNG files by hand: a header that claims any size, with whatever pixel data follows.</summary>
internal static class PngHeader
{
    /// <summary>An 8-bit RGB PNG that claims <paramref name="width"/>×<paramref name="height"/> but holds only one
    /// row of data: a decoder that trusted it would allocate the full size.</summary>
    public static byte[] Claiming(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(new byte[1 + 3 * Math.Min(width, 1024)]);
        }

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typeAndData = [.. type.Select(c => (byte)c), .. data];
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typeAndData));
        png.Write(length);
    }

    /// <summary>CRC-32 (ISO-HDLC, as PNG uses), bit by bit: test data is small.</summary>
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
