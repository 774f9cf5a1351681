using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;
using static OpenGrid.Core.Tests.Market.MarketFixtures;

namespace OpenGrid.Core.Tests.Market;

/// <summary>Fits, picking GPUs and subtracting a lease: a leased GPU is no longer free.</summary>
public class ResourceVectorTests
{
    [Fact]
    public void A_request_fits_when_every_resource_fits()
    {
        var free = Vector(2 * Cores, 4 * Gi, 10 * Gi, new GpuInfo("t4", 16 * Gi));

        Assert.True(free.Fits(Request(2 * Cores, 4 * Gi, 10 * Gi, new GpuRequest(1, "T4", 16 * Gi))));
        Assert.False(free.Fits(Request(2 * Cores + 1, 4 * Gi, 10 * Gi)));
        Assert.False(free.Fits(Request(2 * Cores, 4 * Gi + 1, 10 * Gi)));
        Assert.False(free.Fits(Request(2 * Cores, 4 * Gi, 10 * Gi + 1)));
        Assert.False(free.Fits(Request(1, 1, 1, new GpuRequest(1, null, 17 * Gi))));
        Assert.False(free.Fits(Request(1, 1, 1, new GpuRequest(2, null, 0))));
    }

    [Fact]
    public void Gpus_are_picked_cheapest_first_then_least_memory()
    {
        var big = new GpuInfo("a100", 80 * Gi);
        var small = new GpuInfo("a100", 40 * Gi);
        var cheap = new GpuInfo("t4", 16 * Gi);
        var free = Vector(8 * Cores, 32 * Gi, 100 * Gi, big, small, cheap);
        var prices = PriceList.Testnet with
        {
            PerGpuHourByModel = new Dictionary<string, TokenAmount> { ["a100"] = Tokens("2.00"), ["t4"] = Tokens("0.10") },
        };

        Assert.Equal([cheap, small], free.PickGpus(new GpuRequest(2, null, 0), prices)!);
        Assert.Equal([small, big], free.PickGpus(new GpuRequest(2, "a100", 0), prices)!);
        Assert.Null(free.PickGpus(new GpuRequest(2, null, 50 * Gi), prices));
    }

    [Fact]
    public void Subtracting_a_lease_removes_exactly_the_leased_gpus()
    {
        var first = new GpuInfo("t4", 16 * Gi);
        var second = new GpuInfo("t4", 16 * Gi);
        var free = Vector(8 * Cores, 32 * Gi, 100 * Gi, first, second);
        var request = Request(2 * Cores, 8 * Gi, 10 * Gi, new GpuRequest(1, null, 0));

        var left = free.Subtract(request, [second]);

        Assert.Equal((6 * Cores, 24 * Gi, 90 * Gi), (left.CpuMillis, left.MemoryBytes, left.DiskBytes));
        Assert.Same(first, Assert.Single(left.Gpus));
    }

    [Fact]
    public void Leasing_a_gpu_that_is_not_free_is_a_bug()
    {
        var gpu = new GpuInfo("t4", 16 * Gi);
        var request = Request(1, 1, 1, new GpuRequest(1, null, 0));
        var left = Vector(8 * Cores, 32 * Gi, 100 * Gi, gpu).Subtract(request, [gpu]);

        Assert.Throws<InvalidOperationException>(() => left.Subtract(request, [gpu]));
        Assert.Throws<InvalidOperationException>(() => left.Subtract(Request(9 * Cores, 1, 1), []));
    }
}
