using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Trust;

/// <summary>
/// Canary settings, section <c>Coordinator:Trust:Canary</c>. A canary is a known-answer job for a <see cref="JobClass"/>
/// — from the coordinator's catalogue, or harvested from a real job whose requester donated it — submitted like real
/// work; a wrong answer is proof of fraud.
/// </summary>
public sealed record CanaryOptions
{
    public const string SectionName = "Coordinator:Trust:Canary";

    public static readonly CanaryOptions Default = new();

    /// <summary>Canaries injected per real job of the class. Default 0.05 (docs/trust.md weighs it against overhead).</summary>
    public double Rate { get; init; } = 0.05;

    /// <summary>The least delay between the real job that triggers a canary and the canary's submission. Default 0.</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The most delay between the real job and its canary; the delay is uniform between the two, so a canary
    /// does not arrive on the heels of the job it copies. Default 10 minutes.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How many agreeing providers a donated job needs before it is kept as a canary. Default 2: a failed canary
    /// is proof of fraud only when its answer was reproduced independently.</summary>
    public int HarvestQuorum { get; init; } = 2;

    /// <summary>The least reputation each of those providers needs. Default 0.6 (ten net verified results above a
    /// newcomer), so two fresh identities cannot plant a wrong known answer.</summary>
    public double HarvestMinReputation { get; init; } = 0.6;

    /// <summary>What is wrong with these settings, one message per setting naming it and a valid value; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Rate is not (>= 0 and <= 1))
            yield return $"{SectionName}:Rate must be between 0 and 1, e.g. 0.05";
        if (MinDelay < TimeSpan.Zero || MaxDelay < MinDelay)
            yield return $"{SectionName}:MinDelay and MaxDelay must satisfy 0 ≤ MinDelay ≤ MaxDelay, e.g. 00:00:00 and 00:10:00";
        if (HarvestQuorum < 2)
            yield return $"{SectionName}:HarvestQuorum must be at least 2 (a known answer must be reproduced), e.g. 2";
        if (HarvestMinReputation is not (>= 0 and <= 1))
            yield return $"{SectionName}:HarvestMinReputation must be between 0 and 1, e.g. 0.6";
    }
}

/// <summary>
/// When and how to inject canaries. To stay indistinguishable, a canary keeps only what defines its known answer
/// (runtime, inputs, outputs) and takes everything else from the real job that triggered it (<see cref="Shape"/>),
/// arrives after a random delay (<see cref="Delay"/>), and goes through matching and <see cref="AdaptiveReplication"/>
/// like that job.
/// </summary>
public static class CanaryPolicy
{
    /// <summary>Whether to inject a canary alongside a real job: true with probability <see cref="CanaryOptions.Rate"/>.</summary>
    /// <param name="uniform01">A uniform draw in [0, 1), e.g. <c>Random.NextDouble()</c>.</param>
    public static bool ShouldInject(double uniform01, CanaryOptions options)
    {
        Uniform.Check(uniform01);
        return uniform01 < options.Rate;
    }

    /// <summary>How long after the real job its canary is submitted: uniform between
    /// <see cref="CanaryOptions.MinDelay"/> and <see cref="CanaryOptions.MaxDelay"/>.</summary>
    /// <param name="uniform01">A uniform draw in [0, 1).</param>
    public static TimeSpan Delay(double uniform01, CanaryOptions options)
    {
        Uniform.Check(uniform01);
        return options.MinDelay + (options.MaxDelay - options.MinDelay) * uniform01;
    }

    /// <summary>
    /// Whether <paramref name="canary"/> can take <paramref name="job"/>'s shape without changing its known answer:
    /// the job grants at least what the canary needs (CPU, memory, disk, GPUs of its model and memory, timeout,
    /// processes). A catalogue canary's resources and limits are its needs.
    /// </summary>
    public static bool Fits(JobSpec canary, JobSpec job)
    {
        var (need, have) = (canary.Resources, job.Resources);
        return need.CpuMillis <= have.CpuMillis && need.MemoryBytes <= have.MemoryBytes && need.DiskBytes <= have.DiskBytes
            && need.Gpu.Count <= have.Gpu.Count && need.Gpu.MemoryBytes <= have.Gpu.MemoryBytes
            && (need.Gpu.Model is null || need.Gpu.Model == have.Gpu.Model)
            && canary.Limits.Timeout <= job.Limits.Timeout && canary.Limits.Processes <= job.Limits.Processes;
    }

    /// <summary>
    /// The canary's spec in <paramref name="job"/>'s shape: the canary's name, runtime, inputs and outputs (its known
    /// answer), with the job's resources, limits, network, price, verify policy (never donated), requirements and
    /// placement. Check <see cref="Fits"/> first.
    /// </summary>
    public static JobSpec Shape(JobSpec canary, JobSpec job) => canary with
    {
        Resources = job.Resources,
        Limits = job.Limits,
        Network = job.Network,
        Price = job.Price,
        Verify = job.Verify with { DonateAsCanary = false },
        Requires = job.Requires,
        Placement = job.Placement,
        Split = null,
    };

    /// <summary>
    /// Whether an accepted job may be kept as a known-answer canary: its requester donated it
    /// (<see cref="VerifyPolicy.DonateAsCanary"/>), every output is compared exactly (<c>exact</c> or <c>text</c>: a
    /// tolerance or image comparator would make a wrong-but-close answer look like fraud), and at least
    /// <see cref="CanaryOptions.HarvestQuorum"/> providers, each at or above
    /// <see cref="CanaryOptions.HarvestMinReputation"/>, agreed on its outputs.
    /// </summary>
    /// <param name="agreeingScores">The reputations, now, of the providers whose results were accepted.</param>
    public static bool CanHarvest(JobSpec spec, IReadOnlyCollection<double> agreeingScores, CanaryOptions options) =>
        spec.Verify.DonateAsCanary
        && spec.Outputs.Count > 0 && spec.Outputs.All(o => o.Compare is CompareMode.Exact or CompareMode.Text)
        && agreeingScores.Count >= options.HarvestQuorum && agreeingScores.All(s => s >= options.HarvestMinReputation);
}
