namespace OpenGrid.Verification;

/// <summary>
/// When two numbers agree: |a-b| ≤ max(absolute, relative × max(|a|,|b|)). NaN agrees only with NaN; an infinity only
/// with the same infinity.
/// </summary>
internal static class NumericTolerance
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> agree under the options' epsilons.</summary>
    public static bool Within(double a, double b, ComparatorOptions options)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return double.IsNaN(a) && double.IsNaN(b);
        }

        if (a == b)
        {
            return true;
        }

        if (!double.IsFinite(a) || !double.IsFinite(b))
        {
            return false;
        }

        var bound = Math.Max(options.AbsoluteEpsilon, options.RelativeEpsilon * Math.Max(Math.Abs(a), Math.Abs(b)));
        return Math.Abs(a - b) <= bound;
    }

    /// <summary>Why two numbers that are not <see cref="Within"/> disagree, quoting them as written
    /// (<c>0.8512 vs 0.9012 differ by 0.05 (5.548%), more than 0.0001% or 1E-09</c>).</summary>
    public static string Describe(string textA, string textB, double a, double b, ComparatorOptions options)
    {
        if (double.IsNaN(a) || double.IsNaN(b) || !double.IsFinite(a - b))
        {
            return $"{textA} vs {textB} (NaN and infinities agree only with themselves)";
        }

        var difference = Math.Abs(a - b);
        var relative = difference / Math.Max(Math.Abs(a), Math.Abs(b));
        return $"{textA} vs {textB} differ by {DetailText.Number(difference)} ({DetailText.Number(relative * 100)}%), "
            + $"more than {DetailText.Number(options.RelativeEpsilon * 100)}% or {DetailText.Number(options.AbsoluteEpsilon)}";
    }
}
