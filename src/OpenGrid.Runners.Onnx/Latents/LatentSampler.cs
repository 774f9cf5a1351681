namespace OpenGrid.Runners.Onnx.Latents;

/// <summary>
/// Standard normal latent vectors from a seed: <see cref="Pcg32"/> (stream <see cref="Stream"/>) and the Box-Muller
/// transform, u1 = (x + 1) / 2^32 in (0, 1], u2 = y / 2^32, giving sqrt(-2 ln u1)·cos(2π u2) then ·sin(2π u2),
/// computed in double and rounded to float32. Image <c>i</c> takes numbers <c>i·d … i·d + d - 1</c> of the sequence,
/// so the first images of a run do not depend on how many are asked for.
/// </summary>
internal static class LatentSampler
{
    /// <summary>The PCG32 stream (the reference implementation's demo stream).</summary>
    public const ulong Stream = 54;

    private const double TwoToThe32 = 4294967296.0;

    /// <summary><paramref name="count"/> vectors of <paramref name="dimensions"/> numbers, row-major.</summary>
    public static float[] Sample(ulong seed, int count, int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        var generator = new Pcg32(seed, Stream);
        var values = new float[checked(count * dimensions)];
        for (var i = 0; i < values.Length; i += 2)
        {
            var radius = Math.Sqrt(-2.0 * Math.Log((generator.NextUInt32() + 1.0) / TwoToThe32));
            var angle = 2.0 * Math.PI * (generator.NextUInt32() / TwoToThe32);
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < values.Length)
                values[i + 1] = (float)(radius * Math.Sin(angle));
        }

        return values;
    }
}
