using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;
using static OpenGrid.Core.Tests.Market.MarketFixtures;

namespace OpenGrid.Core.Tests.Market;

/// <summary>Each requirement fails on its own, with a message that names it and both values, and holds otherwise.</summary>
public class FeasibilityCheckTests
{
    private static readonly GpuInfo Rtx4090 = new("rtx-4090", 24 * Gi);
    private static readonly GpuInfo T4 = new("t4", 8 * Gi);

    [Fact]
    public void An_offer_that_meets_every_requirement_has_no_failure()
    {
        Assert.All(FeasibilityChecks.All, check => Assert.Null(check.FirstFailure(ABid(1), AnOffer(1))));
        Assert.Null(FeasibilityChecks.FirstFailure(ABid(1), AnOffer(1)));
    }

    [Fact]
    public void Draining_provider_takes_no_new_leases() =>
        AssertFails<NotDrainingCheck>(ABid(1), AnOffer(1) with { Draining = true }, "draining: takes no new leases");

    [Fact]
    public void Excluded_provider_is_rejected()
    {
        var bid = ABid(1) with { ExcludedProviders = new HashSet<OpenGrid.Core.Jobs.Address> { Provider(1) } };

        AssertFails<NotExcludedCheck>(bid, AnOffer(1), "excluded: holds a replica of this job already or failed it");
        Assert.Null(new NotExcludedCheck().FirstFailure(bid, AnOffer(2)));
    }

    [Fact]
    public void Provider_without_the_process_runtime_is_rejected() =>
        AssertFails<RuntimeCheck>(ABid(1), AnOffer(1) with { Capabilities = Set("blender") }, "runtime 'process': not offered");

    [Fact]
    public void Job_longer_than_the_providers_max_duration_is_rejected()
    {
        var bid = ABid(1) with { Duration = TimeSpan.FromHours(2) };

        AssertFails<MaxDurationCheck>(bid, AnOffer(1) with { MaxJobDuration = TimeSpan.FromHours(1) }, "max duration 1h < timeout 2h");
        Assert.Null(new MaxDurationCheck().FirstFailure(bid, AnOffer(1) with { MaxJobDuration = TimeSpan.FromHours(2) }));
    }

    [Fact]
    public void Requester_below_the_providers_min_reputation_is_rejected()
    {
        var bid = ABid(1) with { RequesterReputation = 0.4 };

        AssertFails<RequesterReputationCheck>(bid, AnOffer(1) with { MinRequesterReputation = 0.8 }, "requester reputation 0.40 < 0.80");
        Assert.Null(new RequesterReputationCheck().FirstFailure(bid, AnOffer(1) with { MinRequesterReputation = 0.4 }));
    }

    [Fact]
    public void Provider_in_another_region_is_rejected()
    {
        var bid = ABid(1) with { Region = "eu-west" };

        AssertFails<RegionCheck>(bid, AnOffer(1) with { Region = "us-east" }, "region 'us-east' is not 'eu-west'");
        Assert.Null(new RegionCheck().FirstFailure(ABid(1), AnOffer(1) with { Region = "us-east" }));
    }

    [Fact]
    public void Provider_missing_a_required_capability_is_rejected()
    {
        var bid = ABid(1) with { Requires = ["python3-torch", "blender"] };
        var offer = AnOffer(1) with { Capabilities = Set(OpenGrid.Core.Market.Offer.RuntimeProcess, "python3-torch") };

        AssertFails<CapabilitiesCheck>(bid, offer, "requires 'blender': not offered");
    }

    [Fact]
    public void Provider_below_the_jobs_min_reputation_is_rejected()
    {
        var bid = ABid(1) with { MinProviderReputation = 0.8 };

        AssertFails<ProviderReputationCheck>(bid, AnOffer(1) with { Reputation = 0.4 }, "reputation 0.40 < 0.80");
        Assert.Null(new ProviderReputationCheck().FirstFailure(bid, AnOffer(1) with { Reputation = 0.8 }));
    }

    [Fact]
    public void Cpu_above_the_free_cpu_is_rejected() =>
        AssertFails<CpuCheck>(ABid(1, Request(2 * Cores, 1 * Gi)), WithFree(Vector(1500, 32 * Gi)), "cpu 2 > 1500m free");

    [Fact]
    public void Memory_above_the_free_memory_is_rejected() =>
        AssertFails<MemoryCheck>(ABid(1, Request(1 * Cores, 8 * Gi)), WithFree(Vector(8 * Cores, 4 * Gi)), "memory 8Gi > 4Gi free");

    [Fact]
    public void Disk_above_the_free_disk_is_rejected() =>
        AssertFails<DiskCheck>(ABid(1, Request(1 * Cores, 1 * Gi, 10 * Gi)), WithFree(Vector(8 * Cores, 32 * Gi, 5 * Gi)), "disk 10Gi > 5Gi free");

    [Fact]
    public void More_gpus_than_are_free_is_rejected() =>
        AssertFails<GpuCountCheck>(ABid(1, GpuJob(2, null, 0)), WithFree(Vector(8 * Cores, 32 * Gi, 100 * Gi, Rtx4090)), "gpu.count 2 > 1 free");

    [Fact]
    public void Gpu_of_another_model_is_rejected() =>
        AssertFails<GpuModelCheck>(
            ABid(1, GpuJob(1, "a100", 0)),
            WithFree(Vector(8 * Cores, 32 * Gi, 100 * Gi, Rtx4090, T4)),
            "gpu.model 'a100': 0 free < 1 wanted (free: 'rtx-4090', 't4')");

    [Fact]
    public void Gpu_model_matches_case_insensitively_as_a_substring() =>
        Assert.Null(new GpuModelCheck().FirstFailure(ABid(1, GpuJob(1, "RTX", 0)), WithFree(Vector(8 * Cores, 32 * Gi, 100 * Gi, Rtx4090))));

    [Fact]
    public void Gpu_with_too_little_memory_is_rejected_naming_the_gpu_that_falls_short() =>
        AssertFails<GpuMemoryCheck>(
            ABid(1, GpuJob(2, null, 16 * Gi)),
            WithFree(Vector(8 * Cores, 32 * Gi, 100 * Gi, Rtx4090, T4)),
            "gpu.memory 8Gi < 16Gi");

    [Fact]
    public void Ask_above_the_jobs_max_price_is_rejected()
    {
        // 2 cores × 0.02 + 16Gi × 0.005 = 0.12 an hour.
        var bid = ABid(1, Request(2 * Cores, 16 * Gi)) with { MaxPricePerHour = Tokens("0.05") };

        AssertFails<PriceCheck>(bid, AnOffer(1), "price 0.120000 > max 0.050000 per hour");
        Assert.Null(new PriceCheck().FirstFailure(bid with { MaxPricePerHour = Tokens("0.12") }, AnOffer(1)));
    }

    [Fact]
    public void Price_of_a_gpu_job_counts_the_gpus_it_would_get()
    {
        // 1 core × 0.02 + 1Gi × 0.005 + one GPU at 0.50 = 0.525 an hour.
        var bid = ABid(1, GpuJob(1, null, 0)) with { MaxPricePerHour = Tokens("0.5") };

        AssertFails<PriceCheck>(bid, WithFree(Vector(8 * Cores, 32 * Gi, 100 * Gi, Rtx4090)), "price 0.525000 > max 0.500000 per hour");
    }

    [Fact]
    public void First_failure_reports_the_offers_rules_before_the_jobs_resources()
    {
        var bid = ABid(1, Request(64 * Cores, 1 * Gi)) with { Duration = TimeSpan.FromDays(2) };

        Assert.Equal("max duration 1d < timeout 2d", FeasibilityChecks.FirstFailure(bid, AnOffer(1)));
    }

    private static ResourceRequest GpuJob(int count, string? model, long memoryBytes) =>
        Request(1 * Cores, 1 * Gi, 1 * Gi, new GpuRequest(count, model, memoryBytes));

    private static Offer WithFree(ResourceVector free) => AnOffer(1, free);

    private static void AssertFails<TCheck>(Bid bid, Offer offer, string expected)
        where TCheck : IFeasibilityCheck, new()
    {
        Assert.Equal(expected, new TCheck().FirstFailure(bid, offer));
        Assert.Equal(expected, FeasibilityChecks.FirstFailure(bid, offer));
    }
}
