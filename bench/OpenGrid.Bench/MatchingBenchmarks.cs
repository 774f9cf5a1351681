using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Bench;

/// <summary>
/// Matching throughput against 1,000 resting offers on one core (issue 3: ≥ 1,000,000 simple matches/s, ≥ 200,000/s
/// with full constraint checks). Each invocation is one round, <see cref="Matcher.Plan"/> over a batch of bids that all
/// match; Op/s is matches per second. "Shapes" are how many distinct bid shapes the batch holds: real jobs come from a
/// few templates (16); "distinct" gives every bid its own memory amount, the worst case: every bid scans the offers.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private const int OfferCount = 1_000;
    private const int BigRound = 10_000;
    private const int SmallRound = 100;
    private const int Templates = 16;
    private const long Gi = 1L << 30;
    private const long Cores = 1000;

    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Regions = ["eu-west", "eu-central", "us-east", "us-west"];

    private readonly Matcher _matcher = new();

    private List<Offer> _simpleOffers = [];
    private List<Offer> _fullOffers = [];
    private List<Bid> _simpleShared = [];
    private List<Bid> _simpleDistinct = [];
    private List<Bid> _simpleSmall = [];
    private List<Bid> _fullShared = [];
    private List<Bid> _fullDistinct = [];
    private List<Bid> _fullSmall = [];

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // One core, as the target says: the matcher is single-threaded; pinning keeps the GC on it too.
            AddJob(BenchmarkDotNet.Jobs.Job.Default.WithAffinity(1));
            AddColumn(StatisticColumn.OperationsPerSecond);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _simpleOffers = [.. Enumerable.Range(0, OfferCount).Select(SimpleOffer)];
        _fullOffers = [.. Enumerable.Range(0, OfferCount).Select(FullOffer)];
        _simpleShared = [.. Enumerable.Range(0, BigRound).Select(i => SimpleBid(i, distinct: false))];
        _simpleDistinct = [.. Enumerable.Range(0, BigRound).Select(i => SimpleBid(i, distinct: true))];
        _simpleSmall = [.. Enumerable.Range(0, SmallRound).Select(i => SimpleBid(i, distinct: false))];
        _fullShared = FullBids(BigRound, distinct: false);
        _fullDistinct = FullBids(BigRound, distinct: true);
        _fullSmall = FullBids(SmallRound, distinct: false);

        // Op/s means matches/s only if every bid in the batch is placed.
        Check(_simpleShared, _simpleOffers, BigRound);
        Check(_simpleDistinct, _simpleOffers, BigRound);
        Check(_simpleSmall, _simpleOffers, SmallRound);
        Check(_fullShared, _fullOffers, BigRound);
        Check(_fullDistinct, _fullOffers, BigRound);
        Check(_fullSmall, _fullOffers, SmallRound);
    }

    [Benchmark(OperationsPerInvoke = BigRound, Description = "Matching simple, 10k bids/round, 16 shapes")]
    public MatchPlan Simple_shared_shapes() => _matcher.Plan(_simpleShared, _simpleOffers, Now);

    [Benchmark(OperationsPerInvoke = BigRound, Description = "Matching simple, 10k bids/round, distinct shapes")]
    public MatchPlan Simple_distinct_shapes() => _matcher.Plan(_simpleDistinct, _simpleOffers, Now);

    [Benchmark(OperationsPerInvoke = SmallRound, Description = "Matching simple, 100 bids/round, 16 shapes")]
    public MatchPlan Simple_small_round() => _matcher.Plan(_simpleSmall, _simpleOffers, Now);

    [Benchmark(OperationsPerInvoke = BigRound, Description = "Matching full checks, 10k bids/round, 16 shapes")]
    public MatchPlan Full_shared_shapes() => _matcher.Plan(_fullShared, _fullOffers, Now);

    [Benchmark(OperationsPerInvoke = BigRound, Description = "Matching full checks, 10k bids/round, distinct shapes")]
    public MatchPlan Full_distinct_shapes() => _matcher.Plan(_fullDistinct, _fullOffers, Now);

    [Benchmark(OperationsPerInvoke = SmallRound, Description = "Matching full checks, 100 bids/round, 16 shapes")]
    public MatchPlan Full_small_round() => _matcher.Plan(_fullSmall, _fullOffers, Now);

    private void Check(List<Bid> bids, List<Offer> offers, int expected)
    {
        var plan = _matcher.Plan(bids, offers, Now);
        if (plan.Matches.Count == expected)
            return;
        var placed = plan.Matches.Select(m => m.Job).ToHashSet();
        var short_ = bids.Where(b => !placed.Contains(b.Job)).ToList();
        var example = short_.Count == 0 ? "" : string.Join("; ", _matcher.Explain(short_[0], offers).Rejected.Select(r => r.Reason).Distinct().Take(8));
        throw new InvalidOperationException($"the workload should place {expected} replicas but placed {plan.Matches.Count}; " +
            $"unplaced templates: {string.Join(",", short_.Select(b => b.Job.Value.ToByteArray()[0] % Templates).Distinct())}; first: {example}");
    }

    // 32 cores and 128Gi each, the process runtime only, one region, eight price tiers and a spread of reputations.
    private static Offer SimpleOffer(int i)
    {
        var capacity = new ResourceVector(32 * Cores, 128 * Gi, 1024 * Gi, []);
        return new Offer(
            Provider(i),
            $"provider-{i}",
            capacity,
            capacity,
            new HashSet<string>(StringComparer.Ordinal) { Offer.RuntimeProcess },
            "eu-west",
            TimeSpan.FromDays(1),
            Prices(i),
            Reputation: 0.5 + i % 50 / 100.0,
            MinRequesterReputation: 0,
            CachedInputs: new HashSet<string>(StringComparer.Ordinal),
            Draining: false);
    }

    // 1-4 cores, 1-8Gi from 16 templates, or each bid its own CPU amount.
    private static Bid SimpleBid(int i, bool distinct)
    {
        var template = i % Templates;
        return new Bid(
            JobOf(i),
            Provider(10_000 + i % 37),
            new ResourceRequest((1 + template % 4) * Cores, (1L << (template / 4)) * Gi + Distinct(i, distinct), 1 * Gi, GpuRequest.None),
            [],
            TokenAmount.FromBaseUnits(1_000_000),
            MinProviderReputation: 0,
            Region: null,
            Duration: TimeSpan.FromHours(1),
            SubmittedAt: Now.AddSeconds(-BigRound + i),
            Deadline: null,
            ReplicasWanted: 1,
            ExcludedProviders: new HashSet<Address>(),
            InputCids: [],
            RequesterReputation: 0.5);
    }

    // 64 cores, 256Gi; every 4th with 8 GPUs (A100 80Gi or RTX 4090 24Gi); apps, four regions, max durations,
    // requester floors, cached inputs, a few draining.
    private static Offer FullOffer(int i)
    {
        GpuInfo[] gpus = i % 4 != 0 ? []
            : i % 8 == 0 ? [.. Enumerable.Range(0, 8).Select(_ => new GpuInfo("NVIDIA A100-SXM4-80GB", 80 * Gi))]
            : [.. Enumerable.Range(0, 8).Select(_ => new GpuInfo("NVIDIA GeForce RTX 4090", 24 * Gi))];
        var capacity = new ResourceVector(64 * Cores, 256 * Gi, 2048 * Gi, gpus);
        var capabilities = new HashSet<string>(StringComparer.Ordinal) { Offer.RuntimeProcess, "ffmpeg" };
        if (i % 3 == 0)
            capabilities.Add("blender");
        if (i % 2 == 0)
            capabilities.Add("python3-torch");
        return new Offer(
            Provider(i),
            $"provider-{i}",
            capacity,
            capacity,
            capabilities,
            Regions[i % Regions.Length],
            i % 5 == 0 ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1),
            Prices(i),
            Reputation: 0.5 + i % 50 / 100.0,
            MinRequesterReputation: i % 10 == 0 ? 0.8 : 0,
            CachedInputs: new HashSet<string>(StringComparer.Ordinal) { Cid(i), Cid(i + 7), Cid(i + 19) },
            Draining: i % 97 == 0);
    }

    // Bids whose replicas add up to exactly `replicas`.
    private static List<Bid> FullBids(int replicas, bool distinct)
    {
        var bids = new List<Bid>();
        for (var placed = 0; placed < replicas; placed += bids[^1].ReplicasWanted)
            bids.Add(FullBid(bids.Count, distinct, replicas - placed));
        return bids;
    }

    // Requirements from 16 templates: apps, a region for a quarter, a reputation floor, 2h timeouts (excluding
    // 1h-max providers), a GPU (A100 with 40Gi) for one in 16, inputs, and for one in 16 two replicas with one
    // provider excluded.
    private static Bid FullBid(int i, bool distinct, int replicasLeft)
    {
        var template = i % Templates;
        var gpu = template == 5 ? new GpuRequest(1, "a100", 40 * Gi) : GpuRequest.None;
        IReadOnlyList<string> requires = (template % 4) switch
        {
            _ when gpu.Count > 0 => ["python3-torch"],
            0 => ["python3-torch"],
            1 => ["blender"],
            2 => ["ffmpeg", "python3-torch"],
            _ => [],
        };
        var replicas = template == 7 ? Math.Min(2, replicasLeft) : 1;
        return new Bid(
            JobOf(i),
            Provider(10_000 + i % 37),
            new ResourceRequest((1 + template % 4) * Cores, (1L << (template % 5)) * Gi + Distinct(i, distinct), (1 + template) * Gi, gpu),
            requires,
            TokenAmount.FromBaseUnits(gpu.Count > 0 ? 5_000_000 : 1_000_000),
            MinProviderReputation: template % 3 == 0 ? 0.6 : 0,
            Region: template % 4 == 3 ? Regions[template / 4 % Regions.Length] : null,
            Duration: template % 2 == 0 ? TimeSpan.FromHours(2) : TimeSpan.FromMinutes(30),
            SubmittedAt: Now.AddSeconds(-BigRound + i),
            Deadline: Now.AddHours(1),
            ReplicasWanted: replicas,
            ExcludedProviders: replicas > 1 ? new HashSet<Address> { Provider(i % OfferCount) } : new HashSet<Address>(),
            InputCids: [Cid(i), Cid(i + 3)],
            RequesterReputation: template % 8 == 0 ? 0.5 : 0.9);
    }

    // A memory amount no other bid in the batch has (64Ki steps), for the distinct-shapes batches.
    private static long Distinct(int i, bool distinct) => distinct ? i * 64L * 1024 : 0;

    private static PriceList Prices(int i) => new(
        TokenAmount.FromBaseUnits(15_000 + i % 7 * 1_000),
        TokenAmount.FromBaseUnits(4_000 + i % 5 * 250),
        TokenAmount.FromBaseUnits(10),
        new Dictionary<string, TokenAmount>(StringComparer.Ordinal) { ["NVIDIA A100-SXM4-80GB"] = TokenAmount.FromBaseUnits(1_200_000) },
        TokenAmount.FromBaseUnits(500_000));

    // Like real account addresses (the tail of a hash): uniformly spread, not 0x000…001.
    private static Address Provider(int n) =>
        Address.Parse("0x" + Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(n)).AsSpan(0, 20)));

    private static JobId JobOf(int n) => new(new Guid(n, 0, 0, new byte[8]));

    private static string Cid(int n) => $"bafkreiinput{n % 50:d3}";
}
