using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace OpenGrid.Workloads.Tests;

/// <summary>
/// A minimal PNG decoder for the tests: 8-bit grey, RGB or RGBA, not interlaced (what Blender and og-onnx write here). Checks the
/// signature and chunk layout, inflates the IDAT stream and undoes the per-row filters, so a PNG that "decodes" here
/// really is a complete image of the stated size.
/// </summary>
internal sealed record PngImage(int Width, int Height, int Channels, byte[] Pixels)
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    public static PngImage Decode(byte[] file)
    {
        if (!file.AsSpan(0, Math.Min(8, file.Length)).SequenceEqual(Signature))
            throw new InvalidDataException("not a PNG: bad signature");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at < file.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            var type = Encoding.ASCII.GetString(file, at + 4, 4);
            var data = file.AsSpan(at + 8, length);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8 || data[12] != 0 || data[9] is not (0 or 2 or 6))
                        throw new InvalidDataException($"unsupported PNG: depth {data[8]}, color type {data[9]}, interlace {data[12]}");
                    channels = data[9] switch { 0 => 1, 2 => 3, _ => 4 };
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    return new PngImage(width, height, channels, Unfilter(idat.ToArray(), width, height, channels));
            }

            at += 12 + length;
        }

        throw new InvalidDataException("truncated PNG: no IEND chunk");
    }

    /// <summary>Mean absolute difference per channel value (0–255) between two images of the same size.</summary>
    public double MeanDifference(PngImage other)
    {
        if ((Width, Height, Channels) != (other.Width, other.Height, other.Channels))
            throw new ArgumentException("images differ in size", nameof(other));
        long sum = 0;
        for (var i = 0; i < Pixels.Length; i++)
            sum += Math.Abs(Pixels[i] - other.Pixels[i]);
        return (double)sum / Pixels.Length;
    }

    private static byte[] Unfilter(byte[] compressed, int width, int height, int channels)
    {
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress))
            zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        var stride = width * channels;
        if (raw.Length != height * (stride + 1))
            throw new InvalidDataException($"PNG data is {raw.Length} bytes; {width}x{height}x{channels} needs {height * (stride + 1)}");

        var pixels = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int value = raw[y * (stride + 1) + 1 + x];
                pixels[y * stride + x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + a,
                    2 => value + b,
                    3 => value + (a + b) / 2,
                    4 => value + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG row {y} has unknown filter {filter}"),
                });
            }
        }

        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
