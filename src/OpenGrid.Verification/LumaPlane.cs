using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace OpenGrid.Verification;

/// <summary>
/// An image's luminance, one float per pixel from 0 to 255: Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as in the
/// SSIM paper's reference code) on the encoded sRGB values, alpha composited on black (Y × A / 255). Greyscale
/// images decode with R = G = B, so Y is their grey level.
/// </summary>
internal sealed record LumaPlane(int Width, int Height, float[] Values)
{
    /// <summary>Why <see cref="Identify"/> found no image in bytes of another format.</summary>
    public const string NotAnImage = "not a PNG or JPEG image";

    /// <summary>PNG and JPEG only: the decoders a coordinator exposes to untrusted bytes are kept few.</summary>
    private static readonly Configuration Decoders = new(new PngConfigurationModule(), new JpegConfigurationModule());

    /// <summary>Format and size from the header, without decoding pixels; null with the reason (<c>not a PNG or
    /// JPEG image</c>, <c>a corrupt PNG (…)</c>) when there is none.</summary>
    public static ImageHeader? Identify(byte[] bytes, out string whyNot)
    {
        if (Image.DetectFormat(Decoders, bytes) is not { } format)
        {
            whyNot = NotAnImage;
            return null;
        }

        try
        {
            var info = Image.Identify(Decoders, bytes, out _);
            whyNot = info is null ? $"a corrupt {format.Name}" : "";
            return info is null ? null : new ImageHeader(format.Name, info.Width, info.Height);
        }
        catch (Exception e) when (IsCorruptImage(e))
        {
            whyNot = Corrupt(format.Name, e);
            return null;
        }
    }

    /// <summary>Decodes the pixels of an image <see cref="Identify"/> accepted; null with the reason when the data
    /// is corrupt past the header.</summary>
    public static LumaPlane? TryDecode(byte[] bytes, ImageHeader header, out string whyNot)
    {
        try
        {
            using var image = Image.Load<Rgba32>(Decoders, bytes);
            var values = new float[image.Width * image.Height];
            image.ProcessPixelRows(pixels =>
            {
                for (var y = 0; y < pixels.Height; y++)
                {
                    var row = pixels.GetRowSpan(y);
                    var offset = y * pixels.Width;
                    for (var x = 0; x < row.Length; x++)
                    {
                        var p = row[x];
                        values[offset + x] = (0.299f * p.R + 0.587f * p.G + 0.114f * p.B) * p.A / 255f;
                    }
                }
            });
            whyNot = "";
            return new LumaPlane(image.Width, image.Height, values);
        }
        catch (Exception e) when (IsCorruptImage(e))
        {
            whyNot = Corrupt(header.ToString(), e);
            return null;
        }
    }

    private static bool IsCorruptImage(Exception e) => e is ImageFormatException or InvalidDataException or NotSupportedException;

    private static string Corrupt(string what, Exception e) =>
        $"a corrupt {what} ({e.Message.ReplaceLineEndings(" ").TrimEnd('.', ' ')})";
}

/// <summary>What an image header says: format name (<c>PNG</c>, <c>JPEG</c>) and size in pixels.</summary>
internal sealed record ImageHeader(string Format, int Width, int Height)
{
    public long Pixels => (long)Width * Height;

    public override string ToString() => $"{Width}x{Height} {Format}";
}
