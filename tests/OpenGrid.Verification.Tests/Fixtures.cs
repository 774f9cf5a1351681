using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace OpenGrid.Verification.Tests;

/// <summary>The Blender renders in Fixtures/ (made by Fixtures/make-fixtures.sh) and images derived from them.</summary>
internal static class Fixtures
{
    /// <summary>The "spheres" scene, Cycles seed 1.</summary>
    public static byte[] SpheresSeed1 => Read("spheres-seed1.png");

    /// <summary>The same scene and samples, seed 2: the same picture with different noise.</summary>
    public static byte[] SpheresSeed2 => Read("spheres-seed2.png");

    /// <summary>A different scene: other objects, camera and lights.</summary>
    public static byte[] MonkeySeed1 => Read("monkey-seed1.png");

    /// <summary>The image re-encoded as JPEG at <paramref name="quality"/>.</summary>
    public static byte[] AsJpeg(byte[] image, int quality = 85) =>
        Encode(image, (img, stream) => img.SaveAsJpeg(stream, new JpegEncoder { Quality = quality }));

    /// <summary>The image changed by <paramref name="mutate"/>, saved as an RGBA PNG.</summary>
    public static byte[] Transformed(byte[] image, Action<Image<Rgba32>> mutate) =>
        Encode(image, (img, stream) =>
        {
            mutate(img);
            img.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        });

    private static byte[] Encode(byte[] image, Action<Image<Rgba32>, Stream> save)
    {
        using var decoded = Image.Load<Rgba32>(image);
        using var stream = new MemoryStream();
        save(decoded, stream);
        return stream.ToArray();
    }

    private static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
