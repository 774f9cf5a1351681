using OpenGrid.Core.Specs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static OpenGrid.Verification.Tests.Bytes;
using static OpenGrid.Verification.Tests.Fixtures;

namespace OpenGrid.Verification.Tests;

/// <summary>
/// Images compared by mean SSIM on real Blender renders (Fixtures/make-fixtures.sh): the same scene with different
/// sampling noise agrees, a different scene does not, JPEG re-encoding does not break agreement.
/// </summary>
public class ImageComparatorTests
{
    private const string Path = "frame.png";

    private static Comparison Compare(byte[] a, byte[] b, ComparatorOptions? options = null) =>
        ImageComparator.Instance.Compare(Path, a, b, options ?? ComparatorOptions.Default);

    private static double Similarity(byte[] a, byte[] b) =>
        ImageComparator.Similarity(a, b, ComparatorOptions.Default, out var whyNot) ?? throw new InvalidOperationException(whyNot);

    [Fact]
    public void Two_renders_of_one_scene_with_different_noise_agree()
    {
        Assert.NotEqual(SpheresSeed1, SpheresSeed2);
        Assert.Equal(new Comparison(true, "frame.png: similarity 0.9731 >= 0.94 (mean SSIM)"), Compare(SpheresSeed1, SpheresSeed2));
    }

    [Fact]
    public void A_render_of_a_different_scene_disagrees()
    {
        Assert.Equal(new Comparison(false, "frame.png: similarity 0.5492 < 0.94 (mean SSIM)"), Compare(SpheresSeed2, MonkeySeed1));
    }

    [Fact]
    public void A_jpeg_at_quality_85_agrees_with_the_png_of_the_same_render_and_with_the_other_seed()
    {
        var jpeg = AsJpeg(SpheresSeed1);

        Assert.Equal("JPEG", Image.DetectFormat(jpeg)?.Name);
        Assert.InRange(Similarity(jpeg, SpheresSeed1), 0.97, 0.99);
        Assert.True(Compare(jpeg, SpheresSeed1).Agree);
        Assert.True(Compare(jpeg, SpheresSeed2).Agree);
        Assert.False(Compare(jpeg, MonkeySeed1).Agree);
    }

    [Fact]
    public void Mean_ssim_matches_an_independent_implementation()
    {
        // Fixtures/ssim_reference.py (numpy PNG decoding, torch conv2d) printed these; the C# reads luminance as float.
        Assert.Equal(0.9731347115, Similarity(SpheresSeed1, SpheresSeed2), 1e-6);
        Assert.Equal(0.5491604918, Similarity(SpheresSeed2, MonkeySeed1), 1e-6);
    }

    [Fact]
    public void The_same_pixels_encoded_differently_are_identical_and_ssim_is_symmetric()
    {
        var reencoded = Transformed(SpheresSeed1, _ => { });

        Assert.NotEqual(SpheresSeed1, reencoded);
        Assert.Equal(1.0, Similarity(SpheresSeed1, reencoded));
        Assert.Equal(Similarity(SpheresSeed1, MonkeySeed1), Similarity(MonkeySeed1, SpheresSeed1), 1e-12);
    }

    [Fact]
    public void Different_sizes_disagree()
    {
        var half = Transformed(SpheresSeed1, image => image.Mutate(c => c.Resize(80, 60)));

        Assert.Equal(new Comparison(false, "frame.png: image sizes differ 160x120 vs 80x60"), Compare(SpheresSeed1, half));
    }

    [Fact]
    public void An_image_over_the_pixel_limit_is_refused_from_its_header()
    {
        var huge = PngHeader.Claiming(10_000, 8_000);

        Assert.Equal(
            new Comparison(false, "frame.png: b is 10000x8000 (80 megapixels), over the limit of 50 megapixels"),
            Compare(SpheresSeed1, huge));
    }

    [Fact]
    public void Transparent_pixels_count_as_black_whatever_their_colour()
    {
        var transparentRed = Transformed(SpheresSeed1, image => ClearLeftHalf(image, new Rgba32(255, 0, 0, 0)));
        var opaqueBlack = Transformed(SpheresSeed1, image => ClearLeftHalf(image, new Rgba32(0, 0, 0, 255)));

        Assert.Equal(1.0, Similarity(transparentRed, opaqueBlack));
        Assert.True(Similarity(transparentRed, SpheresSeed1) < 0.7);
    }

    [Fact]
    public void A_greyscale_png_agrees_with_the_colour_render()
    {
        using var colour = Image.Load<Rgba32>(SpheresSeed2);
        using var stream = new MemoryStream();
        colour.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.Grayscale });

        Assert.Equal(PngColorType.Grayscale, Image.Identify(stream.ToArray()).Metadata.GetPngMetadata().ColorType);
        Assert.True(Compare(stream.ToArray(), SpheresSeed2).Agree);
    }

    [Fact]
    public void Files_that_are_not_images_are_compared_exactly()
    {
        Assert.Equal(
            new Comparison(false, "frame.png: neither is a PNG or JPEG image, compared exactly: bytes differ at offset 4 (sizes 5 vs 5)"),
            Compare(Utf8("hello"), Utf8("hellO")));
        Assert.Equal(
            new Comparison(false, "frame.png: b is not a PNG or JPEG image, a is a 160x120 PNG"),
            Compare(SpheresSeed1, Utf8("hello")));
    }

    [Fact]
    public void An_image_corrupt_after_a_valid_header_disagrees_without_throwing()
    {
        var corrupt = SpheresSeed1.ToArray();
        var pixelData = corrupt.AsSpan().IndexOf("IDAT"u8) + 4;
        corrupt.AsSpan(pixelData + 100, 200).Fill(0xAB);

        var comparison = Compare(SpheresSeed1, corrupt);

        Assert.False(comparison.Agree);
        Assert.StartsWith("frame.png: b is a corrupt PNG (", comparison.Detail);
        Assert.DoesNotContain('\n', comparison.Detail);
    }

    [Fact]
    public void The_comparator_implements_the_image_mode()
    {
        Assert.Equal(CompareMode.Image, ImageComparator.Instance.Kind);
    }

    private static void ClearLeftHalf(Image<Rgba32> image, Rgba32 colour) =>
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                rows.GetRowSpan(y)[..(rows.Width / 2)].Fill(colour);
            }
        });
}
