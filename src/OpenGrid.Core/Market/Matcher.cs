using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Market;

/// <summary>
/// The two-sided matcher (HTCondor style): a pure function from a snapshot of bids and offers to a plan. No I/O and no
/// clock: <c>now</c> is a parameter. See README.md in this folder for the pipeline and its vocabulary.
/// </summary>
/// <param name="rankedShapeMinDemand">
/// A tuning knob, not a behaviour: bids of a GPU shape (resources, requirements, max price, the offer's rules) that
/// want at least this many placements in a round share one ranking of the offers (a heap); rarer shapes scan the
/// offers. The plan is the same either way. Default <see cref="DefaultRankedShapeMinDemand"/>.
/// </param>
public sealed class Matcher(int rankedShapeMinDemand = Matcher.DefaultRankedShapeMinDemand)
{
    /// <summary>A shape placed once is cheapest to scan for; from two placements on, ranking once (about one scan) pays.</summary>
    public const int DefaultRankedShapeMinDemand = 2;

    private readonly int _rankedShapeMinDemand = rankedShapeMinDemand >= 1
        ? rankedShapeMinDemand
        : throw new ArgumentOutOfRangeException(nameof(rankedShapeMinDemand), rankedShapeMinDemand, "must be at least 1");

    /// <summary>
    /// Places bids in priority order (submitted first, then job id) on the best feasible offers: lowest ask for the
    /// job, then highest reputation, then most of the job's inputs cached, then lowest provider address. An offer
    /// takes several jobs while its free resources allow; a bid's replicas go to distinct providers (as many as can be
    /// placed now). A bid placed nowhere stays in the book, unless <paramref name="now"/> is past its deadline: then it
    /// is in <see cref="MatchPlan.Expired"/> with the reason. Throws when a job has two bids or wants no replica.
    /// </summary>
    public MatchPlan Plan(IReadOnlyList<Bid> bids, IReadOnlyList<Offer> offers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(bids);
        ArgumentNullException.ThrowIfNull(offers);
        var round = new MatchRound(offers, Smallest(bids));
        var shapeOfBid = new Shape[bids.Count];
        var shapes = new Dictionary<ShapeKey, Shape>();
        var jobs = new HashSet<JobId>();
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bids.Count; i++)
        {
            var bid = bids[i] ?? throw new ArgumentException($"bids[{i}] is null", nameof(bids));
            if (bid.ReplicasWanted < 1)
                throw new ArgumentException($"bid for job {bid.Job} wants {bid.ReplicasWanted} replicas; at least 1", nameof(bids));
            if (!jobs.Add(bid.Job))
                throw new ArgumentException($"job {bid.Job} has more than one bid", nameof(bids));
            var key = new ShapeKey(bid);
            if (!shapes.TryGetValue(key, out var shape))
            {
                shape = new Shape(bid);
                shapes.Add(key, shape);
            }

            shape.Demand += bid.ReplicasWanted;
            shapeOfBid[i] = shape;
            for (var c = 0; c < bid.InputCids.Count; c++)
                inputs.Add(bid.InputCids[c]);
        }

        if (inputs.Count > 0)
            round.IndexCachedInputs(inputs);

        var matches = new List<Match>(bids.Count);
        var expired = new List<Expiry>();
        foreach (var i in PriorityOrder(bids))
        {
            var bid = bids[i];
            var shape = shapeOfBid[i];
            var placed = round.Place(bid, shape, shape.Demand >= _rankedShapeMinDemand, matches);
            if (placed == 0 && bid.Deadline is { } deadline && now > deadline)
                expired.Add(new Expiry(bid.Job, round.ExpiryReason(bid, deadline)));
        }

        return new MatchPlan(matches, expired);
    }

    /// <summary>
    /// What <c>og plan</c> shows for a bid against offers as they are: the feasible providers best first with their
    /// ask per hour and over the full timeout, every other provider with the first requirement it fails, and the cost
    /// range of one replica.
    /// </summary>
    public Explanation Explain(Bid bid, IReadOnlyList<Offer> offers)
    {
        ArgumentNullException.ThrowIfNull(bid);
        ArgumentNullException.ThrowIfNull(offers);
        var feasible = new List<(Offer Offer, long Price, int Cached, int Index)>();
        var rejected = new List<RejectedProvider>();
        for (var i = 0; i < offers.Count; i++)
        {
            var offer = offers[i];
            if (FeasibilityChecks.FirstFailure(bid, offer) is { } failure)
            {
                rejected.Add(new RejectedProvider(offer.Provider, offer.Name, failure));
                continue;
            }

            var gpus = offer.Free.PickGpus(bid.Resources.Gpu, offer.Prices)!;
            var price = offer.Prices.Quote(bid.Resources, gpus);
            feasible.Add((offer, price.BaseUnits, CachedCount(bid.InputCids, offer.CachedInputs), i));
        }

        feasible.Sort((a, b) => Rank.Compare(
            a.Price, a.Offer.Reputation, a.Cached, a.Offer.Provider, a.Index,
            b.Price, b.Offer.Reputation, b.Cached, b.Offer.Provider, b.Index));
        var providers = feasible.ConvertAll(f => new FeasibleProvider(
            f.Offer.Provider,
            f.Offer.Name,
            TokenAmount.FromBaseUnits(f.Price),
            PriceList.CostFor(TokenAmount.FromBaseUnits(f.Price), bid.Duration)));
        CostRange? cost = null;
        if (providers.Count > 0)
        {
            var min = providers.MinBy(p => p.PricePerHour.BaseUnits)!;
            var max = providers.MaxBy(p => p.PricePerHour.BaseUnits)!;
            cost = new CostRange(min.PricePerHour, max.PricePerHour, min.CostForTimeout, max.CostForTimeout, bid.Duration);
        }

        return new Explanation(providers, rejected, cost);
    }

    // The smallest CPU, memory and disk any bid asks for, each on its own; null without bids.
    private static ResourceRequest? Smallest(IReadOnlyList<Bid> bids)
    {
        if (bids.Count == 0)
            return null;
        long cpu = long.MaxValue, memory = long.MaxValue, disk = long.MaxValue;
        for (var i = 0; i < bids.Count; i++)
        {
            var want = bids[i]?.Resources;
            if (want is null)
                continue;
            cpu = Math.Min(cpu, want.CpuMillis);
            memory = Math.Min(memory, want.MemoryBytes);
            disk = Math.Min(disk, want.DiskBytes);
        }

        return cpu == long.MaxValue ? null : new ResourceRequest(cpu, memory, disk, GpuRequest.None);
    }

    internal static int CachedCount(IReadOnlyList<string> inputCids, IReadOnlySet<string> cached)
    {
        if (inputCids.Count == 0 || cached.Count == 0)
            return 0;
        var count = 0;
        for (var i = 0; i < inputCids.Count; i++)
        {
            if (cached.Contains(inputCids[i]))
                count++;
        }

        return count;
    }

    // Bid indexes by SubmittedAt, then JobId. The coordinator usually hands them over in that order already.
    private static int[] PriorityOrder(IReadOnlyList<Bid> bids)
    {
        var order = new int[bids.Count];
        var sorted = true;
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            if (i > 0 && ComparePriority(bids[i - 1], bids[i]) > 0)
                sorted = false;
        }

        if (!sorted)
            Array.Sort(order, (a, b) => ComparePriority(bids[a], bids[b]));
        return order;
    }

    private static int ComparePriority(Bid a, Bid b)
    {
        var bySubmission = a.SubmittedAt.CompareTo(b.SubmittedAt);
        return bySubmission != 0 ? bySubmission : a.Job.Value.CompareTo(b.Job.Value);
    }
}

/// <summary>The ranking among feasible offers: ask ascending, reputation descending, cached inputs descending, address.</summary>
internal static class Rank
{
    public static int Compare(
        long priceA, double reputationA, int cachedA, Address providerA, int indexA,
        long priceB, double reputationB, int cachedB, Address providerB, int indexB)
    {
        if (priceA != priceB)
            return priceA < priceB ? -1 : 1;
        var byReputation = reputationB.CompareTo(reputationA);
        if (byReputation != 0)
            return byReputation;
        if (cachedA != cachedB)
            return cachedA > cachedB ? -1 : 1;
        var byAddress = string.CompareOrdinal(providerA.Value, providerB.Value);
        return byAddress != 0 ? byAddress : indexA.CompareTo(indexB);
    }
}
