using System.Globalization;
using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>
/// PNG and JPEG outputs (renders, generated images) agree when they look alike: same width and height, and a mean
/// SSIM over luminance (11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03; see <see cref="Ssim"/>) of at least
/// <see cref="ComparatorOptions.MinSimilarity"/>. Luminance is BT.601 on the sRGB values with alpha composited on
/// black, so greyscale and RGB images of the same picture compare alike. Headers are read first: an image over
/// <see cref="ComparatorOptions.MaxImagePixels"/> is refused before any pixel is decoded. Two files that are neither
/// PNG nor JPEG are compared exactly.
/// </summary>
public sealed class ImageComparator : IOutputComparator
{
    private const string NeitherIsAnImage = "neither is a PNG or JPEG image";

    /// <summary>The one instance (the comparator has no state).</summary>
    public static ImageComparator Instance { get; } = new();

    private ImageComparator()
    {
    }

    /// <inheritdoc/>
    public CompareMode Kind => CompareMode.Image;

    /// <summary>The mean SSIM of two same-sized PNG/JPEG images, or a reason there is none (exposed for
    /// measuring thresholds; <see cref="Compare"/> is the decision).</summary>
    public static double? Similarity(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ComparatorOptions options, out string whyNot)
    {
        ArgumentNullException.ThrowIfNull(options);
        byte[] bytesA = a.ToArray(), bytesB = b.ToArray();
        var headerA = LumaPlane.Identify(bytesA, out var whyNotA);
        var headerB = LumaPlane.Identify(bytesB, out var whyNotB);
        whyNot = (headerA, headerB) switch
        {
            (null, null) when whyNotA == LumaPlane.NotAnImage && whyNotB == LumaPlane.NotAnImage => NeitherIsAnImage,
            (null, null) => $"a is {whyNotA}, b is {whyNotB}",
            (null, _) => $"a is {whyNotA}, b is a {headerB}",
            (_, null) => $"b is {whyNotB}, a is a {headerA}",
            _ when headerA.Pixels > options.MaxImagePixels => OverLimit("a", headerA, options),
            _ when headerB.Pixels > options.MaxImagePixels => OverLimit("b", headerB, options),
            _ when (headerA.Width, headerA.Height) != (headerB.Width, headerB.Height) =>
                $"image sizes differ {headerA.Width}x{headerA.Height} vs {headerB.Width}x{headerB.Height}",
            _ => "",
        };
        if (whyNot.Length > 0)
        {
            return null;
        }

        if (LumaPlane.TryDecode(bytesA, headerA!, out whyNotA) is not { } planeA)
        {
            whyNot = $"a is {whyNotA}";
            return null;
        }

        if (LumaPlane.TryDecode(bytesB, headerB!, out whyNotB) is not { } planeB)
        {
            whyNot = $"b is {whyNotB}";
            return null;
        }

        return Ssim.Mean(planeA, planeB);
    }

    /// <inheritdoc/>
    public Comparison Compare(string path, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ComparatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (a.SequenceEqual(b))
        {
            return Comparison.Agreed(path, $"identical ({a.Length} bytes)");
        }

        if (Similarity(a, b, options, out var whyNot) is not { } similarity)
        {
            return whyNot == NeitherIsAnImage
                ? Comparison.Differs(path, $"{whyNot}, compared exactly: {ExactComparator.FirstDifference(a, b)}")
                : Comparison.Differs(path, whyNot);
        }

        var threshold = options.MinSimilarity.ToString("0.###", CultureInfo.InvariantCulture);
        var measured = similarity.ToString("0.0000", CultureInfo.InvariantCulture);
        return similarity >= options.MinSimilarity
            ? Comparison.Agreed(path, $"similarity {measured} >= {threshold} (mean SSIM)")
            : Comparison.Differs(path, $"similarity {measured} < {threshold} (mean SSIM)");
    }

    private static string OverLimit(string replica, ImageHeader header, ComparatorOptions options) =>
        $"{replica} is {header.Width}x{header.Height} ({header.Pixels / 1e6:0.#} megapixels), over the limit of "
        + $"{options.MaxImagePixels / 1e6:0.#} megapixels";
}
