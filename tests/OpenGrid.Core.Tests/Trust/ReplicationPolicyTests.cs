using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>Streaks, adaptive replication, canary injection and job classes.</summary>
public sealed class ReplicationPolicyTests
{
    private static readonly ReplicationOptions Options = ReplicationOptions.Default;
    private static readonly VerifyPolicy TwoOfTwo = new(2, 2);
    private static readonly VerifyPolicy TwoOfThree = new(3, 2);

    [Theory]
    [InlineData(TrustEvent.VerifiedResult, 7, 8)]
    [InlineData(TrustEvent.CanaryPassed, 0, 1)]
    [InlineData(TrustEvent.Disagreed, 40, 0)]
    [InlineData(TrustEvent.Outvoted, 40, 0)]
    [InlineData(TrustEvent.CanaryFailed, 40, 0)]
    [InlineData(TrustEvent.TimedOut, 12, 12)]
    [InlineData(TrustEvent.LeaseLost, 12, 12)]
    [InlineData(TrustEvent.Cancelled, 12, 12)]
    public void A_streak_grows_on_checked_results_resets_on_wrong_ones_and_ignores_failures(TrustEvent trustEvent, int before, int after)
    {
        Assert.Equal(after, Streaks.After(before, trustEvent));
    }

    [Fact]
    public void A_single_replica_job_stays_single_whatever_the_streak()
    {
        Assert.Equal(VerifyPolicy.Single, AdaptiveReplication.PolicyFor(VerifyPolicy.Single, forceFull: true, 0, 0.5, Options));
        Assert.Equal(VerifyPolicy.Single, AdaptiveReplication.PolicyFor(VerifyPolicy.Single, forceFull: false, 1000, 0.0, Options));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void A_provider_below_the_trusted_streak_gets_the_requested_replication(int streak)
    {
        Assert.Equal(TwoOfThree, AdaptiveReplication.PolicyFor(TwoOfThree, forceFull: false, streak, 0.999, Options));
    }

    [Fact]
    public void Forced_full_replication_ignores_the_streak()
    {
        Assert.Equal(TwoOfTwo, AdaptiveReplication.PolicyFor(TwoOfTwo, forceFull: true, 500, 0.999, Options));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(37)]
    [InlineData(1000)]
    public void Without_a_floor_a_trusted_provider_is_replicated_with_probability_one_over_its_streak(int streak)
    {
        var noFloor = Options with { MinProbability = 0 };

        var (replicated, unreplicated) = Replications(streak, noFloor);

        // An even grid of draws stands for the uniform distribution: exactly ceil(n / streak) of them fall below 1/streak.
        Assert.Equal((Draws + streak - 1) / streak, replicated);
        Assert.Equal(Draws, replicated + unreplicated);
    }

    [Theory]
    [InlineData(10, 10_000)]
    [InlineData(37, 10_000)]
    [InlineData(1000, 10_000)]
    [InlineData(5, 100_000)]
    public void The_floor_keeps_every_verified_job_replicated_with_probability_at_least_min_probability(int streak, int expected)
    {
        Assert.Equal(0.1, Options.MinProbability);

        var (replicated, _) = Replications(streak, Options);

        Assert.Equal(expected, replicated);
    }

    private const int Draws = 100_000;

    private static (int Replicated, int Unreplicated) Replications(int streak, ReplicationOptions options)
    {
        var policies = Enumerable.Range(0, Draws)
            .Select(i => AdaptiveReplication.PolicyFor(TwoOfTwo, forceFull: false, streak, (double)i / Draws, options)).ToList();
        return (policies.Count(p => p == TwoOfTwo), policies.Count(p => p == VerifyPolicy.Single));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_draw_outside_0_to_1_is_a_bug(double draw)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AdaptiveReplication.PolicyFor(TwoOfTwo, false, 20, draw, Options));
        Assert.Equal("uniform01", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => CanaryPolicy.ShouldInject(draw, CanaryOptions.Default));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Canaries_are_injected_at_the_configured_rate(double rate)
    {
        const int draws = 10_000;
        var options = new CanaryOptions { Rate = rate };

        var injected = Enumerable.Range(0, draws).Count(i => CanaryPolicy.ShouldInject((double)i / draws, options));

        Assert.Equal((int)Math.Ceiling(rate * draws), injected);
    }

    [Fact]
    public void Replication_and_canary_settings_are_validated_with_the_setting_named()
    {
        Assert.Empty(Options.Validate());
        Assert.Empty(CanaryOptions.Default.Validate());

        Assert.Equal(
            ["Coordinator:Trust:Replication:TrustedStreak must be at least 1, e.g. 10", "Coordinator:Trust:Replication:ExtraReplicas must be between 0 and 16, e.g. 2"],
            new ReplicationOptions { TrustedStreak = 0, ExtraReplicas = -1 }.Validate());
        Assert.Equal(["Coordinator:Trust:Replication:MinProbability must be between 0 and 1, e.g. 0.1"],
            new ReplicationOptions { MinProbability = 1.5 }.Validate());
        Assert.Equal(["Coordinator:Trust:Canary:Rate must be between 0 and 1, e.g. 0.05"], new CanaryOptions { Rate = 1.5 }.Validate());
    }

    [Fact]
    public void The_replica_limit_is_the_policys_replicas_plus_the_extra_ones()
    {
        Assert.Equal(5, Options.MaxReplicasFor(TwoOfThree));
        Assert.Equal(3, Options.MaxReplicasFor(VerifyPolicy.Single));
    }

    [Theory]
    [InlineData(0, new string[0], "cpu")]
    [InlineData(1, new string[0], "gpu")]
    [InlineData(0, new[] { "blender" }, "cpu+blender")]
    [InlineData(2, new[] { "python3-torch", "gpu:cuda", "python3-torch" }, "gpu+gpu:cuda+python3-torch")]
    public void A_job_class_is_the_processor_kind_and_the_sorted_requirements(int gpus, string[] requires, string expected)
    {
        Assert.Equal(expected, JobClass.Of(Spec(gpus, requires)).Value);
    }

    [Fact]
    public void A_job_class_does_not_depend_on_the_order_of_requires()
    {
        Assert.Equal(JobClass.Of(Spec(0, ["b", "a", "c"])), JobClass.Of(Spec(0, ["c", "b", "a"])));
    }

    private static JobSpec Spec(int gpus, IReadOnlyList<string> requires) => new()
    {
        Name = "job",
        Runtime = new ProcessRuntime(["true"], [], new Dictionary<string, string>()),
        Resources = ResourceRequest.Default with { Gpu = gpus == 0 ? GpuRequest.None : new GpuRequest(gpus, null, 0) },
        Requires = requires,
    };
}
