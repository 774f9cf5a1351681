using OpenGrid.Core.Jobs;
using OpenGrid.Core.Market;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Tests.Market;

/// <summary>Offers and bids for matcher tests: sensible defaults, varied with <c>with</c>.</summary>
internal static class MarketFixtures
{
    public const long Gi = 1L << 30;
    public const long Mi = 1L << 20;
    public const long Cores = Quantities.MillicoresPerCore;

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static Address Provider(int n) => Address.Parse($"0x{n:x40}");

    public static JobId Job(int n) => new(new Guid(n, 0, 0, new byte[8]));

    public static TokenAmount Tokens(string text) =>
        TokenAmount.TryParse(text, out var amount) ? amount : throw new ArgumentException($"'{text}' is not an amount", nameof(text));

    public static ResourceVector Vector(long cpuMillis, long memoryBytes, long diskBytes = 100 * Gi, params GpuInfo[] gpus) =>
        new(cpuMillis, memoryBytes, diskBytes, gpus);

    /// <summary>An idle provider in eu-west: 8 cores, 32Gi, 100Gi disk, no GPUs, the process runtime, testnet prices.</summary>
    public static Offer AnOffer(int n, ResourceVector? capacity = null)
    {
        var vector = capacity ?? Vector(8 * Cores, 32 * Gi);
        return new Offer(
            Provider(n),
            $"provider-{n}",
            vector,
            vector,
            new HashSet<string>(StringComparer.Ordinal) { OpenGrid.Core.Market.Offer.RuntimeProcess },
            "eu-west",
            TimeSpan.FromDays(1),
            PriceList.Testnet,
            Reputation: 0.9,
            MinRequesterReputation: 0,
            CachedInputs: new HashSet<string>(StringComparer.Ordinal),
            Draining: false);
    }

    /// <summary>A 1-core, 1Gi, 1Gi-disk job submitted n seconds after <see cref="Now"/> minus an hour, paying up to 1.00 an hour.</summary>
    public static Bid ABid(int n, ResourceRequest? resources = null) => new(
        Job(n),
        Provider(1000),
        resources ?? Request(1 * Cores, 1 * Gi),
        [],
        Tokens("1.00"),
        MinProviderReputation: 0,
        Region: null,
        Duration: TimeSpan.FromHours(1),
        SubmittedAt: Now.AddHours(-1).AddSeconds(n),
        Deadline: null,
        ReplicasWanted: 1,
        ExcludedProviders: new HashSet<Address>(),
        InputCids: [],
        RequesterReputation: 0.5);

    public static ResourceRequest Request(long cpuMillis, long memoryBytes, long diskBytes = 1 * Gi, GpuRequest? gpu = null) =>
        new(cpuMillis, memoryBytes, diskBytes, gpu ?? GpuRequest.None);

    public static HashSet<string> Set(params string[] items) => new(items, StringComparer.Ordinal);
}
