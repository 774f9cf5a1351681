namespace OpenGrid.Core.Trust;

/// <summary>
/// Canary settings, section <c>Coordinator:Trust:Canary</c>. A canary is a known-answer job from the coordinator's
/// catalogue for a <see cref="JobClass"/>, submitted like real work; a wrong answer is proof of fraud.
/// </summary>
public sealed record CanaryOptions
{
    public const string SectionName = "Coordinator:Trust:Canary";

    public static readonly CanaryOptions Default = new();

    /// <summary>Canaries injected per real job of the class. Default 0.05 (docs/trust.md weighs it against overhead).</summary>
    public double Rate { get; init; } = 0.05;

    /// <summary>What is wrong with these settings, one message per setting naming it and a valid value; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Rate is not (>= 0 and <= 1))
            yield return $"{SectionName}:Rate must be between 0 and 1, e.g. 0.05";
    }
}

/// <summary>When to inject a canary. To stay indistinguishable, a canary takes its verify policy and resources from
/// the real job that triggered it and goes through matching and <see cref="AdaptiveReplication"/> like one.</summary>
public static class CanaryPolicy
{
    /// <summary>Whether to inject a canary alongside a real job: true with probability <see cref="CanaryOptions.Rate"/>.</summary>
    /// <param name="uniform01">A uniform draw in [0, 1), e.g. <c>Random.NextDouble()</c>.</param>
    public static bool ShouldInject(double uniform01, CanaryOptions options)
    {
        Uniform.Check(uniform01);
        return uniform01 < options.Rate;
    }
}
