using OpenGrid.Core.Jobs;
using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;
using static OpenGrid.Core.Tests.Market.MarketFixtures;

namespace OpenGrid.Core.Tests.Market;

/// <summary>Examples of ranking, bin packing, priority, replicas and deadlines, on both the scanning and the ranked path.</summary>
public class MatcherTests
{
    /// <summary>The two ways the matcher finds an offer: scanning every time, and one ranked list per shape.</summary>
    public static TheoryData<int> Paths => new() { int.MaxValue, 1 };

    private static readonly PriceList Cheap = PriceList.Testnet with { PerCpuCoreHour = Tokens("0.01") };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Lowest_ask_wins_over_higher_reputation(int rankedFrom)
    {
        var offers = new[] { AnOffer(1) with { Reputation = 1.0 }, AnOffer(2) with { Prices = Cheap, Reputation = 0.1 } };

        var plan = new Matcher(rankedFrom).Plan([ABid(1)], offers, Now);

        Assert.Equal(Provider(2), Assert.Single(plan.Matches).Provider);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Equal_asks_go_to_the_higher_reputation(int rankedFrom)
    {
        var offers = new[] { AnOffer(1) with { Reputation = 0.5 }, AnOffer(2) with { Reputation = 0.7 } };

        var plan = new Matcher(rankedFrom).Plan([ABid(1)], offers, Now);

        Assert.Equal(Provider(2), Assert.Single(plan.Matches).Provider);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Equal_asks_and_reputations_go_to_the_provider_with_more_inputs_cached(int rankedFrom)
    {
        var bid = ABid(1) with { InputCids = ["bafk-a", "bafk-b"] };
        var offers = new[]
        {
            AnOffer(1) with { CachedInputs = Set("bafk-a") },
            AnOffer(2) with { CachedInputs = Set("bafk-a", "bafk-b") },
            AnOffer(3),
        };

        var plan = new Matcher(rankedFrom).Plan([bid], offers, Now);

        Assert.Equal(Provider(2), Assert.Single(plan.Matches).Provider);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Full_ties_go_to_the_lowest_address_whatever_the_order_of_offers(int rankedFrom)
    {
        var plan = new Matcher(rankedFrom).Plan([ABid(1)], [AnOffer(3), AnOffer(1), AnOffer(2)], Now);

        Assert.Equal(Provider(1), Assert.Single(plan.Matches).Provider);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void The_provider_is_paid_its_ask_not_the_jobs_max(int rankedFrom)
    {
        var bid = ABid(1, Request(2 * Cores, 4 * Gi)) with { MaxPricePerHour = Tokens("5.00") };

        var match = Assert.Single(new Matcher(rankedFrom).Plan([bid], [AnOffer(1)], Now).Matches);

        Assert.Equal(new Match(bid.Job, Provider(1), Tokens("0.06")), match);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_provider_runs_several_jobs_while_its_free_resources_allow(int rankedFrom)
    {
        var offer = AnOffer(1, Vector(4 * Cores, 32 * Gi));
        var bids = Enumerable.Range(1, 5).Select(n => ABid(n)).ToList();

        var plan = new Matcher(rankedFrom).Plan(bids, [offer], Now);

        Assert.Equal(bids.Take(4).Select(b => b.Job), plan.Matches.Select(m => m.Job));
        Assert.All(plan.Matches, m => Assert.Equal(Provider(1), m.Provider));
        Assert.Empty(plan.Expired);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Jobs_spill_over_to_the_next_best_provider_when_the_best_is_full(int rankedFrom)
    {
        var offers = new[] { AnOffer(1, Vector(2 * Cores, 32 * Gi)) with { Prices = Cheap }, AnOffer(2) };
        var bids = Enumerable.Range(1, 3).Select(n => ABid(n)).ToList();

        var plan = new Matcher(rankedFrom).Plan(bids, offers, Now);

        Assert.Equal([Provider(1), Provider(1), Provider(2)], plan.Matches.Select(m => m.Provider));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Earlier_submissions_get_scarce_capacity_first_whatever_the_order_of_bids(int rankedFrom)
    {
        var offer = AnOffer(1, Vector(1 * Cores, 32 * Gi));
        var bids = new[] { ABid(3), ABid(2) with { SubmittedAt = Now.AddDays(-1) }, ABid(1) };

        var plan = new Matcher(rankedFrom).Plan(bids, [offer], Now);

        Assert.Equal(Job(2), Assert.Single(plan.Matches).Job);
    }

    [Fact]
    public void Bids_submitted_at_the_same_instant_go_in_job_id_order()
    {
        var offer = AnOffer(1, Vector(1 * Cores, 32 * Gi));
        var bids = new[] { ABid(2) with { SubmittedAt = Now }, ABid(1) with { SubmittedAt = Now } };

        var plan = new Matcher().Plan(bids, [offer], Now);

        Assert.Equal(Job(1), Assert.Single(plan.Matches).Job);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Replicas_go_to_distinct_providers_as_many_as_can_be_placed(int rankedFrom)
    {
        var bid = ABid(1) with { ReplicasWanted = 3 };

        var plan = new Matcher(rankedFrom).Plan([bid], [AnOffer(1), AnOffer(2)], Now);

        Assert.Equal([Provider(1), Provider(2)], plan.Matches.Select(m => m.Provider));
        Assert.All(plan.Matches, m => Assert.Equal(bid.Job, m.Job));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Excluded_providers_get_no_replica(int rankedFrom)
    {
        var bid = ABid(1) with { ExcludedProviders = new HashSet<Address> { Provider(1) } };

        var plan = new Matcher(rankedFrom).Plan([bid], [AnOffer(1), AnOffer(2)], Now);

        Assert.Equal(Provider(2), Assert.Single(plan.Matches).Provider);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Gpu_jobs_lease_distinct_gpus_and_wait_when_none_is_free(int rankedFrom)
    {
        var first = new GpuInfo("t4", 16 * Gi);
        var second = new GpuInfo("t4", 16 * Gi);
        var offer = AnOffer(1, Vector(8 * Cores, 32 * Gi, 100 * Gi, first, second));
        var bids = Enumerable.Range(1, 3).Select(n => ABid(n, Request(1 * Cores, 1 * Gi, 1 * Gi, new GpuRequest(1, "t4", 0)))).ToList();

        var plan = new Matcher(rankedFrom).Plan(bids, [offer], Now);

        Assert.Equal(2, plan.Matches.Count);
        Assert.Same(first, Assert.Single(plan.Matches[0].Gpus));
        Assert.Same(second, Assert.Single(plan.Matches[1].Gpus));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void With_gpus_priced_differently_the_cheap_one_goes_first_and_the_next_job_pays_more(int rankedFrom)
    {
        var cheap = new GpuInfo("t4", 16 * Gi);
        var dear = new GpuInfo("a100", 80 * Gi);
        var prices = PriceList.Testnet with
        {
            PerGpuHourByModel = new Dictionary<string, TokenAmount> { ["t4"] = Tokens("0.10"), ["a100"] = Tokens("2.00") },
        };
        var gpuOffer = AnOffer(1, Vector(8 * Cores, 32 * Gi, 100 * Gi, dear, cheap)) with { Prices = prices };
        var rival = AnOffer(2, Vector(8 * Cores, 32 * Gi, 100 * Gi, new GpuInfo("l4", 24 * Gi)));
        var bids = Enumerable.Range(1, 3).Select(n => ABid(n, Request(1 * Cores, 1 * Gi, 0, new GpuRequest(1, null, 0))) with
        {
            MaxPricePerHour = Tokens("3.00"),
        }).ToList();

        var plan = new Matcher(rankedFrom).Plan(bids, [gpuOffer, rival], Now);

        // 0.025 for cpu and memory, plus the GPU: 0.10 (t4), then the rival's 0.50 (l4), then 2.00 (a100).
        Assert.Equal(
            [(Provider(1), Tokens("0.125"), "t4"), (Provider(2), Tokens("0.525"), "l4"), (Provider(1), Tokens("2.025"), "a100")],
            plan.Matches.Select(m => (m.Provider, m.PricePerHour, Assert.Single(m.Gpus).Model)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_bid_that_cannot_match_stays_in_the_book_until_its_deadline(int rankedFrom)
    {
        var bid = ABid(1, Request(1 * Cores, 64 * Gi)) with { Deadline = Now };

        var plan = new Matcher(rankedFrom).Plan([bid], [AnOffer(1)], Now);

        Assert.Empty(plan.Matches);
        Assert.Empty(plan.Expired);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_bid_past_its_deadline_without_a_match_expires_naming_the_closest_provider(int rankedFrom)
    {
        var bid = ABid(1, Request(1 * Cores, 64 * Gi)) with { Deadline = Now.AddMinutes(-5) };
        var offers = new[] { AnOffer(1) with { Region = "us-east" }, AnOffer(2), AnOffer(3) with { Draining = true } };

        var plan = new Matcher(rankedFrom).Plan([bid with { Region = "eu-west" }], offers, Now);

        Assert.Empty(plan.Matches);
        Assert.Equal(
            new Expiry(bid.Job, $"no provider matched before its deadline of 2025-06-01T11:55:00Z; closest: {Provider(2)}: memory 64Gi > 32Gi free"),
            Assert.Single(plan.Expired));
    }

    [Fact]
    public void The_expiry_reason_judges_what_earlier_bids_left_free()
    {
        var offer = AnOffer(1, Vector(1 * Cores, 32 * Gi));
        var late = ABid(2) with { Deadline = Now.AddMinutes(-1) };

        var plan = new Matcher().Plan([ABid(1), late], [offer], Now);

        Assert.Equal(
            $"no provider matched before its deadline of 2025-06-01T11:59:00Z; closest: {Provider(1)}: cpu 1 > 0 free",
            Assert.Single(plan.Expired).Reason);
    }

    [Fact]
    public void A_bid_past_its_deadline_with_no_offers_at_all_expires()
    {
        var bid = ABid(1) with { Deadline = Now.AddSeconds(-1) };

        var plan = new Matcher().Plan([bid], [], Now);

        Assert.EndsWith("closest: none (no offers)", Assert.Single(plan.Expired).Reason);
    }

    [Fact]
    public void A_bid_that_matches_does_not_expire_even_past_its_deadline()
    {
        var bid = ABid(1) with { Deadline = Now.AddMinutes(-5) };

        var plan = new Matcher().Plan([bid], [AnOffer(1)], Now);

        Assert.Single(plan.Matches);
        Assert.Empty(plan.Expired);
    }

    [Fact]
    public void Two_bids_for_one_job_are_a_bug()
    {
        Assert.Throws<ArgumentException>(() => new Matcher().Plan([ABid(1), ABid(1)], [AnOffer(1)], Now));
    }

    [Fact]
    public void A_bid_wanting_no_replica_is_a_bug()
    {
        Assert.Throws<ArgumentException>(() => new Matcher().Plan([ABid(1) with { ReplicasWanted = 0 }], [AnOffer(1)], Now));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Offers_that_fill_up_between_bids_of_one_shape_are_passed_over(int rankedFrom)
    {
        // Forty one-core providers, each a little dearer than the last. One small job ranks them, thirty bigger jobs
        // fill the cheapest, then ten more small jobs must skip all of those.
        var offers = Enumerable.Range(1, 40)
            .Select(n => AnOffer(n, Vector(1 * Cores, 32 * Gi)) with { Prices = PriceList.Testnet with { PerCpuCoreHour = TokenAmount.FromBaseUnits(10_000 + n) } })
            .ToList();
        var bids = Enumerable.Range(1, 41).Select(n => ABid(n, Request(1 * Cores, n is > 1 and <= 31 ? 2 * Gi : 1 * Gi))).ToList();

        var plan = new Matcher(rankedFrom).Plan(bids, offers, Now);

        Assert.Equal(
            ReferenceMatcher.Plan(bids, offers).Select(m => (m.Job, m.Provider, m.PricePerHour)),
            plan.Matches.Select(m => (m.Job, m.Provider, m.PricePerHour)));
        Assert.Equal(40, plan.Matches.Count);
        Assert.Equal(Provider(40), plan.Matches[^1].Provider);
    }

    [Fact]
    public void Many_bids_of_one_shape_get_the_same_plan_ranked_as_scanned()
    {
        var offers = Enumerable.Range(1, 20)
            .Select(n => AnOffer(n, Vector(n % 4 * Cores, 32 * Gi)) with { Reputation = n % 3 / 3.0, Prices = n % 2 == 0 ? Cheap : PriceList.Testnet })
            .ToList();
        var bids = Enumerable.Range(1, 40).Select(n => ABid(n) with { ReplicasWanted = 1 + n % 2 }).ToList();

        var scanned = new Matcher(int.MaxValue).Plan(bids, offers, Now);
        var ranked = new Matcher(1).Plan(bids, offers, Now);

        Assert.Equal(
            scanned.Matches.Select(m => (m.Job, m.Provider, m.PricePerHour)),
            ranked.Matches.Select(m => (m.Job, m.Provider, m.PricePerHour)));
        Assert.True(scanned.Matches.Count > 20, "the example should fill several providers");
    }
}
