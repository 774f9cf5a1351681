namespace OpenGrid.Verification;

/// <summary>
/// Thresholds for the output comparators. Defaults: numbers agree within 1e-6 relative or 1e-9 absolute, images
/// agree at a mean SSIM of at least <see cref="DefaultMinSimilarity"/> (chosen from measured renders, see README.md),
/// text ignores differences in whitespace, images over 50 megapixels are refused.
/// </summary>
public sealed record ComparatorOptions
{
    /// <summary>
    /// Measured on 160×120 Cycles renders (32 samples, no denoising; README.md has the table): two seeds of one scene
    /// 0.962 to 0.973 mean SSIM, a JPEG (quality 85) against its PNG 0.977 to 0.981; the scene with one object removed
    /// 0.917, one object moved 0.854, a different scene 0.549. 0.94 is the middle of the gap.
    /// </summary>
    public const double DefaultMinSimilarity = 0.94;

    /// <summary>The defaults; comparators take options explicitly so a job could override them.</summary>
    public static ComparatorOptions Default { get; } = new();

    /// <summary>Numbers agree when |a-b| ≤ RelativeEpsilon × max(|a|,|b|) (or the absolute bound). Default 1e-6.</summary>
    public double RelativeEpsilon
    {
        get;
        init => field = NonNegative(value, nameof(RelativeEpsilon));
    } = 1e-6;

    /// <summary>Numbers agree when |a-b| ≤ AbsoluteEpsilon (or the relative bound); matters near zero. Default 1e-9.</summary>
    public double AbsoluteEpsilon
    {
        get;
        init => field = NonNegative(value, nameof(AbsoluteEpsilon));
    } = 1e-9;

    /// <summary>Images agree when their mean SSIM (from -1 to 1, 1 = identical) is at least this.</summary>
    public double MinSimilarity
    {
        get;
        init => field = value is >= -1 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MinSimilarity), value, "must be between -1 and 1 (SSIM)");
    } = DefaultMinSimilarity;

    /// <summary>Text compares words: runs of whitespace collapse, ends are trimmed, line endings do not matter.
    /// Default true; false compares the text exactly.</summary>
    public bool NormalizeWhitespace { get; init; } = true;

    /// <summary>Images with more pixels than this are refused before decoding (they cost about 8 bytes a pixel).
    /// Default 50 megapixels.</summary>
    public long MaxImagePixels
    {
        get;
        init => field = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), value, "must be positive");
    } = 50_000_000;

    private static double NonNegative(double value, string name) =>
        value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "must be a finite number, zero or more");
}
