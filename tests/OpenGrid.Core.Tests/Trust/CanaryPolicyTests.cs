using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>How a canary takes the shape of the job that triggers it, when it arrives, and which jobs may become canaries.</summary>
public sealed class CanaryPolicyTests
{
    private static readonly CanaryOptions Options = CanaryOptions.Default;

    private static readonly JobSpec Canary = new()
    {
        Name = "checksum",
        Runtime = new ProcessRuntime(["sh", "sum.sh"], [], new Dictionary<string, string>()),
        Inputs = [new InputSpec("sum.sh", "./sum.sh", null)],
        Outputs = [new OutputSpec("sum.txt", CompareMode.Exact)],
        Resources = new ResourceRequest(500, 128L << 20, 64L << 20, GpuRequest.None),
        Limits = new JobLimits(TimeSpan.FromMinutes(1), 64),
    };

    private static readonly JobSpec Job = new()
    {
        Name = "render",
        Runtime = new ProcessRuntime(["blender", "-b"], [], new Dictionary<string, string>()),
        Outputs = [new OutputSpec("frame.png", CompareMode.Image)],
        Resources = new ResourceRequest(2000, 1L << 30, 2L << 30, GpuRequest.None),
        Limits = new JobLimits(TimeSpan.FromMinutes(30), 256),
        Price = new PriceCap(TokenAmount.FromBaseUnits(400_000), "streaming"),
        Verify = new VerifyPolicy(3, 2, Adaptive: false, DonateAsCanary: true),
        Requires = ["blender"],
        Placement = new PlacementPolicy(0.8, "eu-west", TimeSpan.FromMinutes(10)),
    };

    [Fact]
    public void A_shaped_canary_keeps_its_known_answer_and_takes_everything_else_from_the_job()
    {
        var shaped = CanaryPolicy.Shape(Canary, Job);

        Assert.Equal((Canary.Name, Canary.Runtime, Canary.Inputs, Canary.Outputs), (shaped.Name, shaped.Runtime, shaped.Inputs, shaped.Outputs));
        Assert.Equal((Job.Resources, Job.Limits, Job.Network, Job.Price, Job.Requires, Job.Placement),
            (shaped.Resources, shaped.Limits, shaped.Network, shaped.Price, shaped.Requires, shaped.Placement));
        // The job's policy, replicas and all, but a canary is never donated on.
        Assert.Equal(Job.Verify with { DonateAsCanary = false }, shaped.Verify);
    }

    [Fact]
    public void A_canary_fits_a_job_that_grants_at_least_what_it_needs()
    {
        Assert.True(CanaryPolicy.Fits(Canary, Job));
        Assert.True(CanaryPolicy.Fits(Canary, Canary));
        Assert.False(CanaryPolicy.Fits(Canary, Job with { Limits = Job.Limits with { Timeout = TimeSpan.FromSeconds(30) } }));
        Assert.False(CanaryPolicy.Fits(Canary, Job with { Resources = Job.Resources with { MemoryBytes = 64L << 20 } }));
        Assert.False(CanaryPolicy.Fits(Canary, Job with { Resources = Job.Resources with { CpuMillis = 250 } }));
        Assert.False(CanaryPolicy.Fits(Canary with { Resources = Canary.Resources with { Gpu = new GpuRequest(1, "a100", 0) } },
            Job with { Resources = Job.Resources with { Gpu = new GpuRequest(1, "h100", 0) } }));
    }

    [Theory]
    [InlineData(0.0, 120)]
    [InlineData(0.5, 360)]
    [InlineData(0.999, 599)]
    public void The_delay_is_uniform_between_the_least_and_the_most(double draw, int expectedSeconds)
    {
        var options = Options with { MinDelay = TimeSpan.FromMinutes(2), MaxDelay = TimeSpan.FromMinutes(10) };

        Assert.Equal(expectedSeconds, (int)CanaryPolicy.Delay(draw, options).TotalSeconds);
    }

    [Fact]
    public void Only_a_donated_exactly_compared_job_agreed_by_enough_reputable_providers_is_harvested()
    {
        var donated = Job with { Outputs = [new OutputSpec("frame.txt", CompareMode.Exact), new OutputSpec("log.txt", CompareMode.Text)] };

        Assert.True(CanaryPolicy.CanHarvest(donated, [0.9, 0.7], Options));
        Assert.False(CanaryPolicy.CanHarvest(donated with { Verify = donated.Verify with { DonateAsCanary = false } }, [0.9, 0.7], Options));
        Assert.False(CanaryPolicy.CanHarvest(Job, [0.9, 0.7], Options)); // an image comparator
        Assert.False(CanaryPolicy.CanHarvest(donated with { Outputs = [] }, [0.9, 0.7], Options));
        Assert.False(CanaryPolicy.CanHarvest(donated, [0.9], Options));
        Assert.False(CanaryPolicy.CanHarvest(donated, [0.9, 0.5], Options));
    }

    [Fact]
    public void Canary_settings_are_validated_with_the_setting_named()
    {
        Assert.Empty(Options.Validate());
        Assert.Equal(
            ["Coordinator:Trust:Canary:MinDelay and MaxDelay must satisfy 0 ≤ MinDelay ≤ MaxDelay, e.g. 00:00:00 and 00:10:00",
             "Coordinator:Trust:Canary:HarvestQuorum must be at least 2 (a known answer must be reproduced), e.g. 2",
             "Coordinator:Trust:Canary:HarvestMinReputation must be between 0 and 1, e.g. 0.6"],
            new CanaryOptions { MinDelay = TimeSpan.FromMinutes(5), MaxDelay = TimeSpan.FromMinutes(1), HarvestQuorum = 1, HarvestMinReputation = 2 }.Validate());
    }
}
