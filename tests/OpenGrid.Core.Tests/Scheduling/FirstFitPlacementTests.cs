using OpenGrid.Core.Jobs;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Tests.Scheduling;

public sealed class FirstFitPlacementTests
{
    private const long GiB = 1L << 30;
    private static readonly Address ProviderA = Address.Parse("0x" + new string('a', 40));
    private static readonly Address ProviderB = Address.Parse("0x" + new string('b', 40));
    private static readonly ProviderCapacity TwoCores = new(2000, 4 * GiB, 100 * GiB, [], new HashSet<string> { "runtime:process" });

    private static PendingJob Job(long cpuMillis = 1000, long memory = GiB, params string[] requires) =>
        new(new JobId(Guid.NewGuid()), new ResourceRequest(cpuMillis, memory, GiB, GpuRequest.None), requires);

    [Fact]
    public void Each_job_goes_to_the_first_idle_provider_it_fits_one_lease_per_provider()
    {
        var jobs = new[] { Job(), Job(), Job() };
        var plan = new FirstFitPlacement().Plan(jobs, [new ProviderSlot(ProviderA, TwoCores, false), new ProviderSlot(ProviderB, TwoCores, false)]);
        Assert.Equal([(jobs[0].Id, ProviderA), (jobs[1].Id, ProviderB)], plan.Assignments);
    }

    [Fact]
    public void Busy_providers_get_nothing()
    {
        var plan = new FirstFitPlacement().Plan([Job()], [new ProviderSlot(ProviderA, TwoCores, true), new ProviderSlot(ProviderB, TwoCores, false)]);
        Assert.Equal(ProviderB, Assert.Single(plan.Assignments).Provider);
    }

    [Fact]
    public void A_job_that_fits_nowhere_stays_unplaced_and_does_not_block_the_next()
    {
        var huge = Job(memory: 64 * GiB);
        var small = Job();
        var plan = new FirstFitPlacement().Plan([huge, small], [new ProviderSlot(ProviderA, TwoCores, false)]);
        Assert.Equal(small.Id, Assert.Single(plan.Assignments).Job);
    }

    [Theory]
    [InlineData(4000, 1 * GiB, "cpu 4 > 2")]
    [InlineData(1000, 8 * GiB, "memory 8Gi > 4Gi")]
    public void Feasibility_names_the_first_requirement_that_fails(long cpu, long memory, string expected)
    {
        Assert.Equal(expected, Feasibility.FirstFailure(new ResourceRequest(cpu, memory, GiB, GpuRequest.None), [], TwoCores));
    }

    [Fact]
    public void Feasibility_requires_every_capability_and_enough_gpus()
    {
        var gpuJob = new ResourceRequest(1000, GiB, GiB, new GpuRequest(1, null, 16 * GiB));
        Assert.Equal("gpu.count 1 > 0", Feasibility.FirstFailure(gpuJob, [], TwoCores));
        Assert.Equal("requires 'blender': not offered", Feasibility.FirstFailure(ResourceRequest.Default, ["blender"], TwoCores));
        var withGpu = TwoCores with { Gpus = [new GpuInfo("NVIDIA H100", 80 * GiB)] };
        Assert.Null(Feasibility.FirstFailure(gpuJob, [], withGpu));
    }
}
