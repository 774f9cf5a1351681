using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;
using static OpenGrid.Core.Tests.Market.MarketFixtures;

namespace OpenGrid.Core.Tests.Market;

/// <summary>
/// The order book's invariants over generated rounds (FsCheck): capacity, prices, replicas, maximality, deadlines,
/// and agreement with a naive matcher written from the feasibility checks. Each runs on the default matcher and
/// on both of its paths (always scan, always ranked).
/// </summary>
public class MatcherProperties
{
    private const int Tests = 300;

    /// <summary>The default matcher, and the two ways it finds an offer: always scanning, always one ranked list per shape.</summary>
    private static readonly int[] RankedFrom = [Matcher.DefaultRankedShapeMinDemand, int.MaxValue, 1];

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void A_providers_leased_resources_never_exceed_what_it_had_free(Round round)
    {
        foreach (var matcher in round.Matchers())
        {
            var plan = matcher.Plan(round.Bids, round.Offers, round.Now);

            foreach (var offer in round.Offers)
            {
                var leases = plan.Matches.Where(m => m.Provider == offer.Provider).ToList();
                var requests = leases.Select(m => round.BidFor(m.Job).Resources).ToList();
                Assert.True(requests.Sum(r => r.CpuMillis) <= offer.Free.CpuMillis, $"cpu over-leased on {offer.Name}");
                Assert.True(requests.Sum(r => r.MemoryBytes) <= offer.Free.MemoryBytes, $"memory over-leased on {offer.Name}");
                Assert.True(requests.Sum(r => r.DiskBytes) <= offer.Free.DiskBytes, $"disk over-leased on {offer.Name}");

                // Each leased GPU is one of the offer's free GPUs (the instance itself), leased once, and satisfies the job.
                var leasedGpus = leases.SelectMany(m => m.Gpus).ToList();
                Assert.Equal(leasedGpus.Count, leasedGpus.Distinct(ReferenceEqualityComparer.Instance).Count());
                Assert.All(leasedGpus, gpu => Assert.Contains(offer.Free.Gpus, free => ReferenceEquals(free, gpu)));
                Assert.All(leases, m => Assert.Equal(round.BidFor(m.Job).Resources.Gpu.Count, m.Gpus.Count));
                Assert.All(leases, m => Assert.All(m.Gpus, gpu => Assert.True(ResourceVector.GpuSatisfies(gpu, round.BidFor(m.Job).Resources.Gpu))));
            }
        }
    }

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void No_match_is_above_the_jobs_max_price_or_below_the_providers_ask(Round round)
    {
        foreach (var matcher in round.Matchers())
        {
            foreach (var match in matcher.Plan(round.Bids, round.Offers, round.Now).Matches)
            {
                var bid = round.BidFor(match.Job);
                var offer = round.OfferOf(match.Provider);
                Assert.Equal(offer.Prices.Quote(bid.Resources, match.Gpus), match.PricePerHour);
                Assert.True(match.PricePerHour.BaseUnits <= bid.MaxPricePerHour.BaseUnits, $"{match} pays more than {bid.MaxPricePerHour}");
            }
        }
    }

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void Every_match_meets_both_sides_rules(Round round)
    {
        // The checks that do not depend on free resources, judged on the offer as published.
        var rules = FeasibilityChecks.All
            .Where(check => check is not (CpuCheck or MemoryCheck or DiskCheck or GpuCountCheck or GpuModelCheck or GpuMemoryCheck or PriceCheck))
            .ToList();
        foreach (var matcher in round.Matchers())
        {
            foreach (var match in matcher.Plan(round.Bids, round.Offers, round.Now).Matches)
            {
                var bid = round.BidFor(match.Job);
                var offer = round.OfferOf(match.Provider);
                Assert.All(rules, check => Assert.Null(check.FirstFailure(bid, offer)));
            }
        }
    }

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void Replicas_of_one_job_land_on_distinct_providers(Round round)
    {
        foreach (var matcher in round.Matchers())
        {
            var plan = matcher.Plan(round.Bids, round.Offers, round.Now);

            foreach (var job in plan.Matches.GroupBy(m => m.Job))
            {
                var bid = round.BidFor(job.Key);
                var providers = job.Select(m => m.Provider).ToList();
                Assert.Equal(providers.Count, providers.Distinct().Count());
                Assert.True(providers.Count <= bid.ReplicasWanted, $"{job.Key}: {providers.Count} replicas > {bid.ReplicasWanted} wanted");
                Assert.DoesNotContain(providers, bid.ExcludedProviders.Contains);
            }
        }
    }

    /// <summary>
    /// Maximality under bin packing: free resources only shrink during a round, so a bid that is still short of
    /// replicas could not have used any offer at its turn either; hence no such bid may be feasible against what the
    /// plan leaves free on a provider it does not already use. In particular a job that fits an idle provider nobody
    /// else takes is matched in the same round.
    /// </summary>
    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void A_bid_left_short_of_replicas_fits_no_offer_in_what_the_plan_leaves_free(Round round)
    {
        foreach (var matcher in round.Matchers())
        {
            var plan = matcher.Plan(round.Bids, round.Offers, round.Now);
            var remaining = round.Remaining(plan);

            foreach (var bid in round.Bids)
            {
                var used = plan.Matches.Where(m => m.Job == bid.Job).Select(m => m.Provider).ToHashSet();
                if (used.Count == bid.ReplicasWanted)
                    continue;
                foreach (var offer in remaining.Where(o => !used.Contains(o.Provider)))
                    Assert.True(FeasibilityChecks.FirstFailure(bid, offer) is not null, $"{bid.Job} fits {offer.Name} but was left short");
            }
        }
    }

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void A_job_alone_in_the_book_that_fits_an_idle_provider_is_matched(Round round)
    {
        var idle = round.Offers.Select(o => o with { Free = o.Capacity }).ToList();
        foreach (var bid in round.Bids)
        {
            var fits = idle.Any(o => FeasibilityChecks.FirstFailure(bid, o) is null);

            var plan = new Matcher().Plan([bid], idle, round.Now);

            Assert.Equal(fits, plan.Matches.Count > 0);
        }
    }

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void A_bid_expires_exactly_when_it_is_past_its_deadline_and_placed_nowhere(Round round)
    {
        foreach (var matcher in round.Matchers())
        {
            var plan = matcher.Plan(round.Bids, round.Offers, round.Now);

            var matched = plan.Matches.Select(m => m.Job).ToHashSet();
            var expected = round.Bids
                .Where(b => !matched.Contains(b.Job) && b.Deadline is { } deadline && round.Now > deadline)
                .Select(b => b.Job)
                .ToHashSet();
            Assert.Equal(expected, plan.Expired.Select(e => e.Job).ToHashSet());
            Assert.All(plan.Expired, e => Assert.StartsWith("no provider matched before its deadline of ", e.Reason));
        }
    }

    /// <summary>
    /// The plan is exactly what a naive matcher written from the feasibility checks, the quote and the ranking
    /// produces: bids in priority order, each replica to the best-ranked feasible offer given what is free at its turn.
    /// </summary>
    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void The_plan_is_what_the_naive_reference_matcher_plans(Round round)
    {
        var expected = ReferenceMatcher.Plan(round.Bids, round.Offers);

        foreach (var matcher in round.Matchers())
        {
            var plan = matcher.Plan(round.Bids, round.Offers, round.Now);

            Assert.Equal(
                expected.Select(m => (m.Job, m.Provider, m.PricePerHour)),
                plan.Matches.Select(m => (m.Job, m.Provider, m.PricePerHour)));
            Assert.Equal<GpuInfo>(expected.SelectMany(m => m.Gpus), plan.Matches.SelectMany(m => m.Gpus), (a, b) => ReferenceEquals(a, b));
        }
    }

    [Property(MaxTest = Tests, Arbitrary = [typeof(MarketArbitraries)])]
    public void Explain_lists_every_provider_once_feasible_ones_as_the_checks_say(Round round)
    {
        foreach (var bid in round.Bids)
        {
            var explanation = new Matcher().Explain(bid, round.Offers);

            Assert.Equal(
                round.Offers.Where(o => FeasibilityChecks.FirstFailure(bid, o) is null).Select(o => o.Provider).ToHashSet(),
                explanation.Feasible.Select(f => f.Provider).ToHashSet());
            Assert.Equal(round.Offers.Count, explanation.Feasible.Count + explanation.Rejected.Count);
            Assert.Equal(explanation.Feasible.Count > 0, explanation.Cost is not null);
            Assert.All(explanation.Feasible, f => Assert.True(f.PricePerHour.BaseUnits <= bid.MaxPricePerHour.BaseUnits));
        }
    }

    [Fact]
    public void Generated_rounds_cover_the_cases_the_properties_are_about()
    {
        // A fixed seed: the same rounds every run, so this cannot flake.
        var rounds = MarketArbitraries.Round().Generator.Sample(Tests, new Rnd(20250601), 50);
        var plans = rounds.Select(r => (Round: r, Plan: new Matcher().Plan(r.Bids, r.Offers, r.Now))).ToList();

        Assert.Equal(Tests, rounds.Length);
        Assert.True(plans.Sum(p => p.Plan.Matches.Count) > Tests, "few matches");
        Assert.Contains(plans, p => p.Plan.Matches.Any(m => m.Gpus.Count > 0));
        Assert.Contains(plans, p => p.Plan.Matches.GroupBy(m => m.Job).Any(g => g.Count() > 1));
        Assert.Contains(plans, p => p.Plan.Matches.GroupBy(m => m.Provider).Any(g => g.Count() > 2));
        Assert.Contains(plans, p => p.Plan.Expired.Count > 0);
        Assert.Contains(plans, p => p.Round.Bids.Any(b => p.Plan.Matches.All(m => m.Job != b.Job) && b.Deadline is null));
        Assert.Contains(plans, p => p.Round.Bids.GroupBy(b => b.Resources).Any(g => g.Sum(b => b.ReplicasWanted) >= Matcher.DefaultRankedShapeMinDemand));
        Assert.Contains(plans, p => p.Plan.Matches.Any(m => m.Gpus.Any(g => g.Model == "a100") && p.Round.OfferOf(m.Provider).Prices.PerGpuHourByModel.Count > 0));
        // Class walks: an offer spent mid-round (less CPU left than any bid asks for) while other CPU bids still wait,
        // and CPU bids with a reputation floor that some offers miss.
        Assert.Contains(plans, p =>
            p.Round.Remaining(p.Plan).Any(o => p.Plan.Matches.Any(m => m.Provider == o.Provider) && o.Free.CpuMillis < p.Round.Bids.Min(b => b.Resources.CpuMillis))
            && p.Round.Bids.Count(b => b.Resources.Gpu.Count == 0) > 2);
        Assert.Contains(plans, p => p.Round.Bids.Any(b => b.Resources.Gpu.Count == 0 && p.Round.Offers.Any(o => o.Reputation < b.MinProviderReputation)));
    }

    /// <summary>
    /// A round of the order book: a few providers (some idle, some partly leased) and bids, many sharing a shape
    /// so that the ranked path is used, with ties in submission time, price and reputation.
    /// </summary>
    public sealed record Round(IReadOnlyList<Offer> Offers, IReadOnlyList<Bid> Bids, DateTimeOffset Now)
    {
        public IEnumerable<Matcher> Matchers() => RankedFrom.Select(from => new Matcher(from));

        public Bid BidFor(JobId job) => Bids.Single(b => b.Job == job);

        public Offer OfferOf(Address provider) => Offers.Single(o => o.Provider == provider);

        /// <summary>The offers with what the plan leaves free.</summary>
        public List<Offer> Remaining(MatchPlan plan) => [.. Offers.Select(offer => offer with
        {
            Free = plan.Matches.Where(m => m.Provider == offer.Provider)
                .Aggregate(offer.Free, (free, m) => free.Subtract(BidFor(m.Job).Resources, m.Gpus)),
        })];

        public override string ToString() =>
            $"{Offers.Count} offers:\n  " + string.Join("\n  ", Offers.Select(Describe)) +
            $"\n{Bids.Count} bids:\n  " + string.Join("\n  ", Bids.Select(Describe));

        private static string Describe(Offer o) =>
            $"{o.Name} free {o.Free.CpuMillis}m/{o.Free.MemoryBytes >> 20}Mi/{o.Free.DiskBytes >> 20}Mi gpus [{string.Join(",", o.Free.Gpus.Select(g => g.Model))}] " +
            $"caps [{string.Join(",", o.Capabilities)}] {o.Region} max {o.MaxJobDuration} core {o.Prices.PerCpuCoreHour} GiB {o.Prices.PerMemoryGiBHour} " +
            $"gpu {o.Prices.PerGpuHourDefault} rep {o.Reputation} minReq {o.MinRequesterReputation} cached [{string.Join(",", o.CachedInputs)}] draining {o.Draining}";

        private static string Describe(Bid b) =>
            $"{b.Job.Value.ToString()[..8]} {b.Resources.CpuMillis}m/{b.Resources.MemoryBytes >> 20}Mi/{b.Resources.DiskBytes >> 20}Mi " +
            $"gpu {b.Resources.Gpu.Count}x{b.Resources.Gpu.Model}/{b.Resources.Gpu.MemoryBytes >> 20}Mi requires [{string.Join(",", b.Requires)}] " +
            $"max {b.MaxPricePerHour} minRep {b.MinProviderReputation} region {b.Region} {b.Duration} at {b.SubmittedAt:HH:mm:ss} " +
            $"deadline {b.Deadline:HH:mm:ss} x{b.ReplicasWanted} excl [{string.Join(",", b.ExcludedProviders)}] " +
            $"inputs [{string.Join(",", b.InputCids)}] reqRep {b.RequesterReputation}";
    }
}

/// <summary>The naive matcher the properties compare against: every offer judged by <see cref="FeasibilityChecks"/> at every turn.</summary>
internal static class ReferenceMatcher
{
    public static List<Match> Plan(IReadOnlyList<Bid> bids, IReadOnlyList<Offer> offers)
    {
        var current = offers.ToList();
        var matches = new List<Match>();
        foreach (var bid in bids.OrderBy(b => b.SubmittedAt).ThenBy(b => b.Job.Value))
        {
            var used = new HashSet<Address>();
            for (var replica = 0; replica < bid.ReplicasWanted; replica++)
            {
                var best = Enumerable.Range(0, current.Count)
                    .Where(i => !used.Contains(current[i].Provider) && FeasibilityChecks.FirstFailure(bid, current[i]) is null)
                    .Select(i =>
                    {
                        var gpus = current[i].Free.PickGpus(bid.Resources.Gpu, current[i].Prices)!;
                        return (Index: i, Gpus: gpus, Price: current[i].Prices.Quote(bid.Resources, gpus));
                    })
                    .OrderBy(c => c.Price.BaseUnits)
                    .ThenByDescending(c => current[c.Index].Reputation)
                    .ThenByDescending(c => bid.InputCids.Count(current[c.Index].CachedInputs.Contains))
                    .ThenBy(c => current[c.Index].Provider.Value, StringComparer.Ordinal)
                    .Select(c => ((int Index, IReadOnlyList<GpuInfo> Gpus, TokenAmount Price)?)c)
                    .FirstOrDefault();
                if (best is not { } chosen)
                    break;
                var offer = current[chosen.Index];
                matches.Add(new Match(bid.Job, offer.Provider, chosen.Price) { Gpus = chosen.Gpus });
                current[chosen.Index] = offer with { Free = offer.Free.Subtract(bid.Resources, chosen.Gpus) };
                used.Add(offer.Provider);
            }
        }

        return matches;
    }
}

/// <summary>Generators for <see cref="MatcherProperties.Round"/>.</summary>
public static class MarketArbitraries
{
    private static readonly DateTimeOffset Now = MarketFixtures.Now;
    private static readonly string[] Regions = ["eu-west", "us-east"];
    private static readonly string[] Apps = ["blender", "python3-torch"];
    private static readonly string[] Cids = ["bafk-a", "bafk-b", "bafk-c"];
        private static readonly TimeSpan[] Durations = [TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2)];
    private static readonly (string Model, long Memory)[] GpuKinds = [("rtx-4090", 24 * Gi), ("a100", 40 * Gi), ("a100", 80 * Gi), ("t4", 16 * Gi)];

    public static Arbitrary<MatcherProperties.Round> Round() =>
        (from offerCount in Gen.Frequency((1, Gen.Constant(0)), (9, Gen.Choose(1, 10)))
         from offers in Gen.CollectToList(Enumerable.Range(1, offerCount), Offer)
         from shapes in Gen.NonEmptyListOf(Bid(offers)).Select(l => l.Take(4).ToList())
         from bidCount in Gen.Choose(0, 30)
         from picks in Gen.ArrayOf(Gen.Choose(0, shapes.Count - 1), bidCount)
         from seconds in Gen.ArrayOf(Gen.Choose(0, 5), bidCount)
         select new MatcherProperties.Round(
             offers,
             [.. picks.Select((shape, n) => shapes[shape] with { Job = Job(n + 1), SubmittedAt = Now.AddMinutes(-10).AddSeconds(seconds[n]) })],
             Now)).ToArbitrary();

    private static Gen<Offer> Offer(int n) =>
        from cores in Gen.Choose(1, 16)
        from memoryGi in Gen.Choose(1, 64)
        from diskGi in Gen.Choose(0, 100)
        from gpus in Gen.Choose(0, 3).SelectMany(count => Gen.ArrayOf(Gen.Elements(GpuKinds), count))
        from idle in Gen.Elements(true, false)
        from usedPercent in Gen.Choose(0, 100)
        from apps in Gen.Frequency<IList<string>>((1, Gen.Constant<IList<string>>([])), (3, Gen.Constant<IList<string>>(Apps)), (2, Gen.SubListOf(Apps).Select(l => (IList<string>)[.. l])))
        from process in Gen.Frequency((9, Gen.Constant(true)), (1, Gen.Constant(false)))
        from region in Gen.Elements(Regions)
        from maxDuration in Gen.Frequency((3, Gen.Constant(TimeSpan.FromDays(1))), (1, Gen.Elements(Durations)))
        from perCore in Gen.Elements(0L, 10_000, 20_000, 20_000, 50_000)
        from perGiB in Gen.Elements(0L, 5_000, 5_000, 7)
        from perGpu in Gen.Elements(100_000L, 500_000, 500_000)
        from a100Price in Gen.Elements<long?>(null, 250_000, 2_000_000)
        from reputation in Gen.Elements(0.3, 0.5, 0.9, 0.9, 1)
        from minRequester in Gen.Elements(0, 0, 0, 0.5)
        from cached in Gen.SubListOf(Cids)
        from draining in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        select MakeOffer(n, cores, memoryGi, diskGi, gpus, idle, usedPercent, apps, process, region, maxDuration, perCore, perGiB, perGpu,
            a100Price, reputation, minRequester, cached, draining);

    private static Offer MakeOffer(
        int n, int cores, int memoryGi, int diskGi, (string Model, long Memory)[] gpus, bool idle, int usedPercent,
        IEnumerable<string> apps, bool process, string region, TimeSpan maxDuration, long perCore, long perGiB, long perGpu,
        long? a100Price, double reputation, double minRequester, IEnumerable<string> cached, bool draining)
    {
        var capacity = new ResourceVector(cores * Cores, memoryGi * Gi, diskGi * Gi, [.. gpus.Select(g => new GpuInfo(g.Model, g.Memory))]);
        var free = idle
            ? capacity
            : new ResourceVector(
                capacity.CpuMillis * (100 - usedPercent) / 100,
                capacity.MemoryBytes * (100 - usedPercent) / 100,
                capacity.DiskBytes * (100 - usedPercent) / 100,
                [.. capacity.Gpus.Where((_, i) => i % 2 == usedPercent % 2)]);
        var byModel = new Dictionary<string, TokenAmount>(StringComparer.Ordinal);
        if (a100Price is { } price)
            byModel["a100"] = TokenAmount.FromBaseUnits(price);
        var capabilities = Set([.. apps]);
        if (process)
            capabilities.Add(OpenGrid.Core.Market.Offer.RuntimeProcess);
        return new Offer(
            Scattered(n),
            $"provider-{n}",
            capacity,
            free,
            capabilities,
            region,
            maxDuration,
            new PriceList(TokenAmount.FromBaseUnits(perCore), TokenAmount.FromBaseUnits(perGiB), TokenAmount.FromBaseUnits(0), byModel,
                TokenAmount.FromBaseUnits(perGpu)),
            reputation,
            minRequester,
            Set([.. cached]),
            draining);
    }

    // Addresses that differ in their first 16 hex digits, or share them and differ only further on (the matcher
    // compares a numeric prefix first, then the text).
    private static Address Scattered(int n)
    {
        string[] prefixes = ["00000000000000000000", "7f3a9c0000000000beef", "7f3a9c0000000000bee0", "ffffffffffffffff0000"];
        return Address.Parse($"0x{prefixes[n * 7 % prefixes.Length]}{n * 2654435761L % 0xFFFFFFFFFFFFFL:x20}");
    }

    private static Gen<Bid> Bid(IReadOnlyList<Offer> offers) =>
        from cpu in Gen.Elements(250L, 500, 1000, 2000, 4000, 8000)
        from memoryMi in Gen.Elements(256L, 1024, 1024, 4096, 4096, 16384, 32768)
        from diskGi in Gen.Elements(0L, 1, 1, 10)
        from gpuCount in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(1, 2)))
        from gpuModel in Gen.Elements<string?>(null, null, "a100", "RTX", "t4")
        from gpuMemory in Gen.Elements(0L, 0, 16 * Gi, 40 * Gi)
        from requires in Gen.Frequency<IList<string>>((3, Gen.Constant<IList<string>>([])), (1, Gen.SubListOf(Apps).Select(l => (IList<string>)[.. l])))
        from maxPrice in Gen.Elements(10_000L, 60_000, 200_000, 1_000_000, 1_000_000, 5_000_000, 5_000_000)
        from minReputation in Gen.Elements(0, 0, 0, 0.5, 0.9)
        from region in Gen.Elements<string?>(null, null, null, "eu-west", "us-east")
        from duration in Gen.Elements(Durations)
        from deadline in Gen.Elements<TimeSpan?>(null, TimeSpan.FromMinutes(-1), TimeSpan.FromMinutes(5))
        from replicas in Gen.Frequency((4, Gen.Constant(1)), (1, Gen.Choose(2, 3)))
        from excluded in Gen.Frequency<IList<Address>>((3, Gen.Constant<IList<Address>>([])), (1, Gen.SubListOf(offers.Take(3).Select(o => o.Provider)).Select(l => (IList<Address>)[.. l])))
        from inputs in Gen.SubListOf(Cids)
        from requesterReputation in Gen.Elements(0.2, 0.5, 1, 1)
        select new Bid(
            Job(0),
            Provider(1000),
            new ResourceRequest(cpu, memoryMi * Mi, diskGi * Gi,
                gpuCount == 0 ? GpuRequest.None : new GpuRequest(gpuCount, gpuModel, gpuMemory)),
            [.. requires],
            TokenAmount.FromBaseUnits(maxPrice),
            minReputation,
            region,
            duration,
            Now,
            deadline is { } offset ? Now + offset : null,
            replicas,
            excluded.ToHashSet(),
            [.. inputs],
            requesterReputation);
}
