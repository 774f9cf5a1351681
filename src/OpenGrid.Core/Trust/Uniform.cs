using System.Runtime.CompilerServices;

namespace OpenGrid.Core.Trust;

/// <summary>Guards for the uniform draws the trust policy takes instead of a random source.</summary>
internal static class Uniform
{
    public static void Check(double uniform01, [CallerArgumentExpression(nameof(uniform01))] string? name = null)
    {
        if (uniform01 is not (>= 0 and < 1))
            throw new ArgumentOutOfRangeException(name, uniform01, "must be a uniform draw in [0, 1), e.g. Random.NextDouble()");
    }
}
