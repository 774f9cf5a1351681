namespace OpenGrid.Core.Tests.Trust;

/// <summary>How a simulated provider behaves.</summary>
public enum ProviderKind { Honest, RandomAnswers, Lazy, Colluding }

/// <summary>One replica's answer: a result (or none: the execution failed) and whether the provider cheated on it.</summary>
public readonly record struct Answer(bool Succeeded, double Result, bool Cheated);

/// <summary>
/// A simulated provider answering a job whose true result is <c>truth</c>. Results are numbers compared under
/// <see cref="Tolerance"/>: honest ones land within half of it of the truth, so any two honest results agree.
/// </summary>
public sealed class SimulatedProvider(ProviderKind kind, bool hasGpu)
{
    /// <summary>Two results agree when they differ by at most this.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>The colluders' shared wrong answer is this far from the truth.</summary>
    private const double CartelOffset = 0.5;

    public ProviderKind Kind { get; } = kind;
    public bool HasGpu { get; } = hasGpu;

    public static bool Agree(double a, double b) => Math.Abs(a - b) <= Tolerance;

    /// <param name="truth">The job's true result, in [1, 1000).</param>
    /// <param name="askedForVerification">Whether the job's spec asks for more than one replica.</param>
    /// <param name="cartelOnJob">How many colluders hold a replica of this job, this one included.</param>
    public Answer Answer(double truth, bool askedForVerification, int cartelOnJob, SimulationSetup setup, Random random)
    {
        var population = setup.Population;
        var exposed = !(population.TargetUnverified && askedForVerification);
        var cheats = Kind switch
        {
            ProviderKind.RandomAnswers => exposed && random.NextDouble() < population.RandomCheatRate,
            ProviderKind.Lazy => exposed && random.NextDouble() < population.LazyCheatRate,
            ProviderKind.Colluding => cartelOnJob >= 2 || random.NextDouble() < population.ColludingSoloCheatRate,
            _ => false,
        };
        if (cheats)
            return new Answer(true, Kind switch
            {
                ProviderKind.RandomAnswers => random.NextDouble() * 1000,
                // Plausible: 1% to 5% off, either way.
                ProviderKind.Lazy => truth * (1 + (random.Next(2) * 2 - 1) * (0.01 + random.NextDouble() * 0.04)),
                _ => truth + CartelOffset,
            }, Cheated: true);

        if (random.NextDouble() < setup.FailureRate)
            return new Answer(false, 0, Cheated: false);
        if (random.NextDouble() < setup.HonestFaultRate)
            return new Answer(true, truth + 1 + random.NextDouble() * 99, Cheated: false);
        return new Answer(true, truth + (random.NextDouble() - 0.5) * Tolerance, Cheated: false);
    }
}
