namespace OpenGrid.Verification;

/// <summary>
/// Mean structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004) of two luminance planes of the same size:
/// an 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03, L = 255, averaged over every position where the window
/// fits (MATLAB <c>'valid'</c>, like the paper's reference code). Images under 11 pixels on a side use the largest odd
/// window that fits. 1 means identical; unrelated images score near 0.
/// </summary>
internal static class Ssim
{
    private const int MaxRadius = 5;
    private const double Sigma = 1.5;
    private const double C1 = 0.01 * 255 * (0.01 * 255);
    private const double C2 = 0.03 * 255 * (0.03 * 255);

    /// <summary>The five filtered quantities: x, y, x², y², xy.</summary>
    private const int Moments = 5;

    /// <summary>Mean SSIM of <paramref name="x"/> and <paramref name="y"/> (same size). Separable filtering over a
    /// ring of 2r+1 horizontally filtered rows, so memory is a few rows, not five full images.</summary>
    public static double Mean(LumaPlane x, LumaPlane y)
    {
        if (x.Width != y.Width || x.Height != y.Height)
        {
            throw new ArgumentException($"sizes differ: {x.Width}x{x.Height} vs {y.Width}x{y.Height}", nameof(y));
        }

        var (width, height) = (x.Width, x.Height);
        var radius = Math.Min(MaxRadius, (Math.Min(width, height) - 1) / 2);
        var kernel = Gaussian(radius);
        var window = kernel.Length;
        var outWidth = width - 2 * radius;
        var ring = new double[window * Moments * outWidth];
        var sum = 0.0;
        for (var row = 0; row < height; row++)
        {
            FilterRow(x.Values.AsSpan(row * width, width), y.Values.AsSpan(row * width, width), kernel,
                ring.AsSpan(row % window * Moments * outWidth, Moments * outWidth));
            if (row >= window - 1)
            {
                sum += SumRow(ring, kernel, row - window + 1, outWidth);
            }
        }

        return sum / ((double)outWidth * (height - 2 * radius));
    }

    /// <summary>Filters one row of x, y, x², y², xy horizontally into <paramref name="target"/> (five runs).</summary>
    private static void FilterRow(ReadOnlySpan<float> x, ReadOnlySpan<float> y, double[] kernel, Span<double> target)
    {
        var outWidth = x.Length - kernel.Length + 1;
        for (var i = 0; i < outWidth; i++)
        {
            double mx = 0, my = 0, mxx = 0, myy = 0, mxy = 0;
            for (var k = 0; k < kernel.Length; k++)
            {
                double g = kernel[k], a = x[i + k], b = y[i + k];
                mx += g * a;
                my += g * b;
                mxx += g * a * a;
                myy += g * b * b;
                mxy += g * a * b;
            }

            target[i] = mx;
            target[outWidth + i] = my;
            target[2 * outWidth + i] = mxx;
            target[3 * outWidth + i] = myy;
            target[4 * outWidth + i] = mxy;
        }
    }

    /// <summary>Filters the ring's rows vertically (the oldest is input row <paramref name="firstRow"/>) and sums the
    /// SSIM of each output position.</summary>
    private static double SumRow(double[] ring, double[] kernel, int firstRow, int outWidth)
    {
        var window = kernel.Length;
        var stride = Moments * outWidth;
        var sum = 0.0;
        Span<double> m = stackalloc double[Moments];
        for (var i = 0; i < outWidth; i++)
        {
            m.Clear();
            for (var k = 0; k < window; k++)
            {
                var slot = (firstRow + k) % window * stride + i;
                for (var q = 0; q < Moments; q++)
                {
                    m[q] += kernel[k] * ring[slot + q * outWidth];
                }
            }

            double mx = m[0], my = m[1];
            double vx = m[2] - mx * mx, vy = m[3] - my * my, cov = m[4] - mx * my;
            sum += (2 * mx * my + C1) * (2 * cov + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        }

        return sum;
    }

    /// <summary>A normalised Gaussian of σ = 1.5 over 2r+1 taps.</summary>
    private static double[] Gaussian(int radius)
    {
        var kernel = new double[2 * radius + 1];
        for (var i = -radius; i <= radius; i++)
        {
            kernel[i + radius] = Math.Exp(-(i * i) / (2 * Sigma * Sigma));
        }

        var total = kernel.Sum();
        return [.. kernel.Select(v => v / total)];
    }
}
