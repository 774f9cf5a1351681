using System.Numerics;

namespace OpenGrid.Runners.Onnx.Latents;

/// <summary>
/// PCG32 (PCG-XSH-RR, 64-bit state, 32-bit output; O'Neill, pcg-random.org), seeded like the reference
/// <c>pcg32_srandom_r(seed, stream)</c>. A published algorithm rather than <see cref="Random"/>, whose sequence is
/// not a contract: every provider that runs og-onnx with the same seed draws the same numbers.
/// </summary>
internal sealed class Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private ulong state;
    private readonly ulong increment;

    public Pcg32(ulong seed, ulong stream)
    {
        increment = (stream << 1) | 1;
        NextUInt32();
        state += seed;
        NextUInt32();
    }

    public uint NextUInt32()
    {
        var old = state;
        state = unchecked(old * Multiplier + increment);
        var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        return BitOperations.RotateRight(xorShifted, (int)(old >> 59));
    }
}
