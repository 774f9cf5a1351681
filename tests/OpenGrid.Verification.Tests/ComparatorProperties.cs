using System.Globalization;
using FsCheck;
using FsCheck.Xunit;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static OpenGrid.Verification.Tests.Bytes;

namespace OpenGrid.Verification.Tests;

/// <summary>Properties of the numeric tolerance and of the image similarity over generated inputs.</summary>
public class ComparatorProperties
{
    private static readonly ComparatorOptions Options = ComparatorOptions.Default;

    private static bool JsonAgrees(string a, string b) =>
        ToleranceComparator.Instance.Compare("m.json", Utf8($"[{a}]"), Utf8($"[{b}]"), Options).Agree;

    private static string Json(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A finite double from 1e-3 to 1e300 in magnitude, either sign: big enough that the relative bound
    /// decides, small enough that scaling it stays finite.</summary>
    private static double Magnitude(int mantissa, byte exponent, bool negative) =>
        (negative ? -1 : 1) * (1 + (mantissa & 0xFFFF) / 65536.0) * Math.Pow(10, exponent % 303 - 3);

    [Property(MaxTest = 300)]
    public void A_number_agrees_with_itself_however_it_is_written(NormalFloat value)
    {
        Assert.True(JsonAgrees(Json(value.Get), value.Get.ToString("E16", CultureInfo.InvariantCulture)));
    }

    [Property(MaxTest = 300)]
    public void Agreement_is_symmetric(NormalFloat a, NormalFloat b, bool nearby)
    {
        var other = nearby ? a.Get * (1 + (b.Get % 1) * 2e-6) : b.Get;

        Assert.Equal(JsonAgrees(Json(a.Get), Json(other)), JsonAgrees(Json(other), Json(a.Get)));
    }

    [Property(MaxTest = 300)]
    public void Half_the_relative_epsilon_agrees_and_twice_it_does_not(int mantissa, byte exponent, bool negative)
    {
        var x = Magnitude(mantissa, exponent, negative);

        Assert.True(JsonAgrees(Json(x), Json(x * (1 + 0.5e-6))));
        Assert.False(JsonAgrees(Json(x), Json(x * (1 + 2e-6))));
    }

    [Property(MaxTest = 100)]
    public void Ssim_is_one_for_the_same_pixels_symmetric_and_at_most_one(PositiveInt width, PositiveInt height, int seed)
    {
        var (w, h) = (width.Get % 24 + 1, height.Get % 24 + 1);
        var random = new Random(seed);
        var (a, b) = (RandomPng(random, w, h), RandomPng(random, w, h));

        var ab = ImageComparator.Similarity(a, b, Options, out _)!.Value;

        Assert.Equal(1.0, ImageComparator.Similarity(a, a.ToArray(), Options, out _));
        Assert.Equal(ab, ImageComparator.Similarity(b, a, Options, out _)!.Value, 1e-12);
        Assert.InRange(ab, -1.0, 1.0 + 1e-12);
    }

    private static byte[] RandomPng(Random random, int width, int height)
    {
        var pixels = new byte[width * height * 4];
        random.NextBytes(pixels);
        using var image = Image.LoadPixelData<Rgba32>(pixels, width, height);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
