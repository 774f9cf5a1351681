using OpenGrid.Core.Jobs;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Tests.Scheduling;

public sealed class FeasibilityTests
{
    private const long GiB = 1L << 30;
    private static readonly Address ProviderA = Address.Parse("0x" + new string('a', 40));
    private static readonly Address ProviderB = Address.Parse("0x" + new string('b', 40));
    private static readonly ProviderCapacity TwoCores = new(2000, 4 * GiB, 100 * GiB, [], new HashSet<string> { "runtime:process" });

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
