using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Api;

namespace OpenGrid.Coordinator.Scheduling;

/// <summary>
/// The market as the matcher sees it, built fresh for each round: one bid per queued job, one offer per connected,
/// live provider (its capacity less its running leases, at the prices and terms it sent in its hello, with its
/// reputation). A bid never goes below the coordinator's reputation floor, a replica never to a provider another
/// member of its verification group has used, and a harvested canary never to the providers that reproduced it.
/// </summary>
public sealed class OrderBook(IJobStore store, ConnectedProviders providers, TrustLedger trust, CanaryCatalogue canaries,
    Settlement.BondBook bonds, TimeProvider time, IOptions<CoordinatorOptions> options)
{
    /// <summary>Reputation of requesters (not scored yet) and of providers nobody has scored (neutral).</summary>
    public const double NeutralReputation = 0.5;

    /// <summary>Terms of a provider that sent none (an older agent): testnet prices, any job up to a day.</summary>
    private static readonly OfferTermsView DefaultTerms = new("local", (long)TimeSpan.FromDays(1).TotalSeconds, PriceList.Testnet.ToView());

    public async Task<(IReadOnlyList<Bid> Bids, IReadOnlyList<Offer> Offers)> SnapshotAsync(CancellationToken ct)
    {
        var queued = await store.ListQueuedAsync(time.GetUtcNow(), 10_000, ct);
        var bids = new List<Bid>(queued.Count);
        // Replicas of one job queue together: read each verification group once per round.
        var groups = new Dictionary<JobId, IReadOnlyList<Job>>();
        foreach (var job in queued)
        {
            var bid = BidFor(job, options.Value.Trust.ReputationFloor);
            if (job.GroupOf is not null || job.PlannedReplicas > 1)
            {
                var root = job.GroupOf ?? job.Id;
                if (!groups.TryGetValue(root, out var group))
                    groups[root] = group = await store.ListGroupAsync(root, ct);
                bid = bid with { ExcludedProviders = OtherMembersProviders(group, job) };
            }
            // A harvested canary never goes back to the providers whose answers made it: they would recognise the job,
            // and their input caches would otherwise draw it to them.
            if (job.Kind == JobKind.Canary && await canaries.ReproducersOfAsync(job, ct) is { Count: > 0 } reproducers)
                bid = bid with { ExcludedProviders = new HashSet<Address>([.. bid.ExcludedProviders, .. reproducers]) };
            bids.Add(bid);
        }
        return (bids, await OffersAsync(ct));
    }

    /// <summary>Providers that ran (or run) another member of the job's verification group.</summary>
    private static IReadOnlySet<Address> OtherMembersProviders(IReadOnlyList<Job> group, Job job) =>
        group.Where(m => m.Id != job.Id).SelectMany(m => m.Attempts).Select(a => a.Provider).ToHashSet();

    /// <summary>Offers of the connected, live providers: free = capacity less running leases.</summary>
    public async Task<IReadOnlyList<Offer>> OffersAsync(CancellationToken ct)
    {
        var draining = await store.ListDrainingAsync(ct);
        var scores = await trust.ScoresAsync(ct);
        var active = (await store.ListActiveAsync(ct)).ToLookup(j => j.CurrentAttempt!.Provider);
        var now = time.GetUtcNow();
        var offers = new List<Offer>();
        foreach (var session in providers.Online)
        {
            // A provider still connected but silent past its lease timeout (paused, wedged) is not offered work.
            if (now - session.LastSeen > options.Value.LeaseTimeout)
                continue;
            var capacity = ResourceVector.Of(session.Capacity);
            var prices = PricesOf(session);
            var free = capacity;
            foreach (var job in active[session.Address])
            {
                // Leases beyond what is free (a provider that came back smaller) leave nothing free, never a crash.
                var request = job.Spec.Resources;
                var gpus = request.Gpu.Count == 0 ? [] : free.PickGpus(request.Gpu, prices);
                free = gpus is not null && free.Fits(request) ? free.Subtract(request, gpus) : ResourceVector.Empty;
            }
            offers.Add(OfferFor(session, capacity, free, draining.Contains(session.Address), ReputationOf(scores, session.Address)));
        }
        return offers;
    }

    /// <summary>Offers at full capacity, idle: who could ever run a job (for submit-time checks and plans).</summary>
    public async Task<IReadOnlyList<Offer>> CapacityOffersAsync(CancellationToken ct)
    {
        var scores = await trust.ScoresAsync(ct);
        return providers.Online.Select(s => OfferFor(s, ResourceVector.Of(s.Capacity), ResourceVector.Of(s.Capacity), draining: false,
            ReputationOf(scores, s.Address))).ToList();
    }

    public static Bid BidFor(Job job, double reputationFloor) =>
        BidFor(job.Id, job.Requester, job.Spec, job.CreatedAt, job.Inputs.Select(i => i.Cid.ToString()).ToList(), reputationFloor);

    /// <summary>
    /// The bid of a job: its spec's terms, with the least provider reputation raised to the coordinator's floor (a
    /// provider below it is offered no work at all).
    /// </summary>
    public static Bid BidFor(JobId id, Address requester, JobSpec spec, DateTimeOffset submittedAt, IReadOnlyList<string> inputCids,
        double reputationFloor) => new(
        id,
        requester,
        spec.Resources,
        spec.Requires,
        spec.Price.MaxPerHour,
        Math.Max(spec.Placement.MinReputation, reputationFloor),
        spec.Placement.Region,
        spec.Limits.Timeout,
        submittedAt,
        spec.Placement.MaxStartDelay is { } delay ? submittedAt + delay : null,
        1,
        new HashSet<Address>(),
        inputCids,
        NeutralReputation);

    private Offer OfferFor(ProviderSession session, ResourceVector capacity, ResourceVector free, bool draining, double reputation)
    {
        var terms = session.Hello.Terms ?? DefaultTerms;
        return new Offer(session.Address, session.Hello.Name, capacity, free, session.Capacity.Capabilities, terms.Region,
            TimeSpan.FromSeconds(terms.MaxJobSeconds), PricesOf(session), reputation, 0, session.CachedInputs, draining,
            bonds.IsBonded(session.Address));
    }

    private static double ReputationOf(IReadOnlyDictionary<Address, double> scores, Address provider) =>
        scores.TryGetValue(provider, out var score) ? score : NeutralReputation;

    /// <summary>The provider's prices from its hello; testnet prices when it sent none or sent malformed ones.</summary>
    private static PriceList PricesOf(ProviderSession session) =>
        (session.Hello.Terms ?? DefaultTerms).Prices.ToPriceList() ?? PriceList.Testnet;
}
