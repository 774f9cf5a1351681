using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace OpenGrid.Runners.Onnx.Imaging;

/// <summary>
/// Encodes a decoder's output as an 8-bit grey PNG, scaled up by nearest neighbour. Values are clamped to 0..1 (NaN
/// is black) and rounded to the nearest of 256 levels; no ancillary chunks are written, so the same pixels always
/// give the same bytes.
/// </summary>
internal static class GreyPng
{
    /// <summary>Largest <c>scale</c> accepted.</summary>
    public const int MaxScale = 16;

    private static readonly PngEncoder Encoder = new()
    {
        ColorType = PngColorType.Grayscale,
        BitDepth = PngBitDepth.Bit8,
        CompressionLevel = PngCompressionLevel.DefaultCompression,
        FilterMethod = PngFilterMethod.Adaptive,
        ChunkFilter = PngChunkFilter.ExcludeAll,
    };

    /// <summary>The PNG of <paramref name="pixels"/> (<paramref name="height"/> rows of <paramref name="width"/>),
    /// each pixel drawn as a <paramref name="scale"/>×<paramref name="scale"/> square.</summary>
    public static byte[] Encode(ReadOnlySpan<float> pixels, int width, int height, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pixels.Length, width * height);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, MaxScale);
        using var image = new Image<L8>(width * scale, height * scale);
        for (var y = 0; y < image.Height; y++)
        {
            var source = pixels.Slice(y / scale * width, width);
            for (var x = 0; x < image.Width; x++)
                image[x, y] = new L8(Level(source[x / scale]));
        }

        using var png = new MemoryStream();
        image.SaveAsPng(png, Encoder);
        return png.ToArray();
    }

    private static byte Level(float value) =>
        float.IsNaN(value) ? (byte)0 : (byte)MathF.Round(Math.Clamp(value, 0f, 1f) * 255f, MidpointRounding.AwayFromZero);
}
